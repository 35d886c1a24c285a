#pragma once
// The code under test: a tiny HTTP client that retries a GET on 503 and 429,
// waiting what the server's Retry-After asks (delta-seconds), up to a limit.

#include <string>

namespace example {

struct reply {
    int status = 0;
    std::string body;
    int attempts = 0;
};

/// GET http://host:port/target with `test_id` in X-Test-Id, retried at most `max_attempts` times.
reply get_with_retries(const std::string& host, unsigned short port, const std::string& target,
                       const std::string& test_id, int max_attempts = 5);

}  // namespace example
