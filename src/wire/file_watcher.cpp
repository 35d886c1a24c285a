#include "wire/file_watcher.hpp"

#include <boost/asio/post.hpp>

#include <sys/inotify.h>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace teapot::detail {
namespace {

constexpr std::uint32_t dir_events = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE;

int open_inotify() {
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "inotify_init1");
    return fd;
}

bool scenario_file_name(std::string_view name) { return name.ends_with(".yaml") || name.ends_with(".yml"); }

}  // namespace

file_watcher::file_watcher(net::io_context& ctx, const std::vector<std::string>& paths, std::function<void()> on_change,
                           std::chrono::milliseconds settle)
    : inotify_(ctx, open_inotify()), on_change_(std::move(on_change)), settle_(settle), settle_timer_(ctx) {
    for (const auto& p : paths) {
        // Files are watched through their folder: editors replace files by renaming,
        // which a watch on the file itself would lose.
        std::filesystem::path path{p};
        bool dir = std::filesystem::is_directory(path);
        auto folder = dir ? path : (path.has_parent_path() ? path.parent_path() : std::filesystem::path{"."});
        int wd = inotify_add_watch(inotify_.native_handle(), folder.c_str(), dir_events);
        if (wd < 0) throw std::system_error(errno, std::generic_category(), "cannot watch " + folder.string());
        watches_.push_back({wd, dir ? std::string{} : path.filename().string()});
    }
}

void file_watcher::start() { net::co_spawn(inotify_.get_executor(), watch(shared_from_this()), net::detached); }

void file_watcher::stop() {
    net::post(inotify_.get_executor(), [self = shared_from_this()] {
        beast::error_code ignored;
        self->settle_timer_.cancel();
        self->inotify_.close(ignored);
    });
}

bool file_watcher::relevant(int wd, std::string_view name) const {
    for (const auto& w : watches_)
        if (w.wd == wd) return w.only_name.empty() ? scenario_file_name(name) : name == w.only_name;
    return false;
}

bool file_watcher::any_relevant(const char* data, std::size_t n) const {
    // Not in the coroutine: a frame can hold neither an inotify_event (flexible
    // array member) nor an aligned buffer (g++ 12), so events are copied out.
    bool changed = false;
    for (std::size_t at = 0; at + sizeof(inotify_event) <= n;) {
        inotify_event event;
        std::memcpy(&event, data + at, sizeof event);
        std::string_view name{data + at + sizeof event, std::min<std::size_t>(event.len, n - at - sizeof event)};
        name = name.substr(0, name.find('\0'));
        changed |= relevant(event.wd, name);
        at += sizeof event + event.len;
    }
    return changed;
}

net::awaitable<void> file_watcher::watch(std::shared_ptr<file_watcher> self) {
    char buffer[8192];
    while (inotify_.is_open()) {
        auto [ec, n] = co_await inotify_.async_read_some(net::buffer(buffer), use_tuple_awaitable);
        if (ec) co_return;  // closed by stop()
        bool changed = any_relevant(buffer, n);
        if (!changed) continue;
        if (settling_) {
            settle_timer_.expires_after(settle_);  // cancels the pending wait: the burst goes on
        } else {
            settling_ = true;
            net::co_spawn(inotify_.get_executor(), settle_then_notify(self), net::detached);
        }
    }
}

net::awaitable<void> file_watcher::settle_then_notify(std::shared_ptr<file_watcher> /*self*/) {
    // Every new event pushes the deadline back; notify once the burst is over.
    settle_timer_.expires_after(settle_);
    for (;;) {
        auto [ec] = co_await settle_timer_.async_wait();
        if (!ec) break;
        if (!inotify_.is_open()) {
            settling_ = false;
            co_return;
        }
        // operation_aborted: the deadline moved; wait for the new one.
    }
    settling_ = false;
    on_change_();
}

}  // namespace teapot::detail
