#pragma once
// The certificate cases by SNI name on the main HTTPS port: a ClientHello that
// names expired.localhost gets the expired case's certificate, for clients that
// can set a name but not a port; any other name gets the main certificate.

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

typedef struct ssl_st SSL;

namespace teapot::detail::tls {

class sni_selection {
public:
    /// `name` (lower case) selects `context`'s certificate chain and key.
    void add(std::string name, std::shared_ptr<boost::asio::ssl::context> context);

    /// Installs the selection on `main`. This object must outlive every handshake `main` serves.
    void attach(boost::asio::ssl::context& main) const;

private:
    static int on_server_name(SSL* ssl, int* alert, void* self);

    // A dozen names: a scan beats a map.
    std::vector<std::pair<std::string, std::shared_ptr<boost::asio::ssl::context>>> contexts_;
};

}  // namespace teapot::detail::tls
