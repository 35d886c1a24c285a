#pragma once
// A scratch folder for a test's scenario files, removed afterwards.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

namespace teapot::test {

struct scratch_dir {
    std::filesystem::path path;
    scratch_dir() {
        static std::atomic<int> counter{0};
        path = std::filesystem::temp_directory_path() /
               ("teapot-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path);
    }
    ~scratch_dir() { std::filesystem::remove_all(path); }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    /// Writes `name` in the folder and returns its path.
    std::string add(const std::string& name, const std::string& text) const {
        std::ofstream{path / name} << text;
        return (path / name).string();
    }
};

}  // namespace teapot::test
