#!/usr/bin/python3
"""An SMTP sink for newswatch's tests (python3-aiosmtpd), on 127.0.0.1.

Prints "listening on 127.0.0.1:N (smtp sink)" once listening (bound to port 0
first, so there is no race for a free port). Each message received is
written to --dir as <n>.eml (n = 1, 2, ...) with its envelope recipients
in <n>.rcpt, one a line.
"""
import argparse
import asyncio
import os
import socket
import sys

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, str(self.count))
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".rcpt", "w") as f:
            f.write("\n".join(envelope.rcpt_tos) + "\n")
        os.rename(base + ".tmp", base + ".eml")
        return "250 OK"


async def serve(directory):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    handler = Handler(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), sock=sock)
    print("listening on 127.0.0.1:%d (smtp sink)" % sock.getsockname()[1],
          flush=True)
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.dir))


if __name__ == "__main__":
    sys.exit(main())
