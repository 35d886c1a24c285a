"""Starts a teapot binary on an ephemeral loopback port and reads its RSS (Linux /proc)."""
import subprocess
import sys


class teapot:
    def __init__(self, binary, *flags):
        self.proc = subprocess.Popen([binary, "--port", "0", "--journal-size", "0", "--quiet", *flags],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()  # "teapot listening on http://127.0.0.1:PORT"
        self.port = int(line.rsplit(":", 1)[1])

    def rss_mib(self):
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def parse_with_flags(parser):
    """The script's arguments, and teapot's own flags: whatever follows `--`."""
    argv = sys.argv[1:]
    if "--" not in argv:
        return parser.parse_args(argv), []
    cut = argv.index("--")
    return parser.parse_args(argv[:cut]), argv[cut + 1:]
