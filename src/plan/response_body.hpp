#pragma once
// A response body as a plan carries it: immutable bytes shared, never copied, by
// whoever made them and every answer that sends them. A scenario step's 19 MiB
// body_file is one string however many slow clients are being sent it (issue 13:
// 40 of them held 40 copies, 800 MiB), and a status body is its thread's cached one.
// Plain data: no Beast, no Asio.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace teapot::detail {

class response_body {
public:
    response_body() = default;
    /// A body of its own (a handler's text): moved in, not copied.
    response_body(std::string text) : bytes_(std::make_shared<const std::string>(std::move(text))), view_(*bytes_) {}
    response_body(const char* text) : response_body(std::string{text}) {}
    explicit response_body(std::string_view text) : response_body(std::string{text}) {}
    /// Bytes kept by someone else too (a scenario step, a cache): shared.
    explicit response_body(std::shared_ptr<const std::string> shared) noexcept
        : bytes_(std::move(shared)), view_(bytes_ ? std::string_view{*bytes_} : std::string_view{}) {}
    /// `part` of shared bytes (httpbin's /drip sends a prefix of one buffer of "*"s): `part`
    /// must lie within `*shared`, which this body keeps alive.
    response_body(std::shared_ptr<const std::string> shared, std::string_view part) noexcept
        : bytes_(std::move(shared)), view_(part) {}
    /// Bytes that live as long as the program (a file embedded in it): neither copied nor kept.
    static response_body of_static(std::string_view bytes) noexcept {
        response_body body;
        body.view_ = bytes;
        return body;
    }

    std::string_view view() const noexcept { return view_; }
    operator std::string_view() const noexcept { return view(); }
    std::size_t size() const noexcept { return view_.size(); }
    bool empty() const noexcept { return size() == 0; }

    friend bool operator==(const response_body& a, std::string_view b) noexcept { return a.view() == b; }

private:
    std::shared_ptr<const std::string> bytes_;  ///< null: empty, or static bytes
    std::string_view view_;                     ///< all of *bytes_, or the part given
};

}  // namespace teapot::detail
