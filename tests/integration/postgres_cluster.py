"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary
folder, the server on a free loopback port with its socket in that folder
(as the postgres user when the tests run as root: the server refuses root),
stopped and removed by stop().

As a program (a ctest fixture for the store tests): `start STATE` starts
one and writes its folder and admin URL to the file STATE; `stop STATE`
stops it and removes both."""
import os
import sys
import pwd
import shutil
import socket
import subprocess
import tempfile

BIN = "/usr/lib/postgresql/15/bin/"


def _as_postgres(command):
    return (["runuser", "-u", "postgres", "--"] + command) if os.geteuid() == 0 else command


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, directory=None, port=None):
        self.port = port
        if directory:  # one started before, by `start`
            self.dir, self.data = directory, os.path.join(directory, "data")
            return
        self.dir = tempfile.mkdtemp(prefix="ocrchat-pg-")
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        self.data = os.path.join(self.dir, "data")
        subprocess.run(_as_postgres([BIN + "initdb", "-D", self.data, "-A", "trust", "-U",
                                     "postgres", "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True)
        self.port = None
        for _ in range(5):  # a port found free may be taken before the server binds it
            port = _free_port()
            started = subprocess.run(_as_postgres(
                [BIN + "pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"),
                 "-w", "-t", "60", "-o",
                 "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
                 % (port, self.dir), "start"]), capture_output=True)
            if started.returncode == 0:
                self.port = port
                break
        if self.port is None:
            raise RuntimeError("PostgreSQL did not start; see %s/server.log" % self.dir)

    def url(self, database):
        return "postgresql://postgres@127.0.0.1:%d/%s" % (self.port, database)

    def create_database(self, name):
        self.sql("postgres", "CREATE DATABASE %s" % name)
        return self.url(name)

    def sql(self, database, query):
        """Rows of `query`, as lists of strings."""
        out = subprocess.run(["psql", "-X", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                              self.url(database), "-c", query],
                             capture_output=True, text=True, check=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def stop(self):
        subprocess.run(_as_postgres([BIN + "pg_ctl", "-D", self.data, "-m", "immediate", "-w",
                                     "stop"]), capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def main(command, state):
    if command == "start":
        cluster = Cluster()
        with open(state, "w") as f:
            f.write("%s\n%s\n" % (cluster.dir, cluster.url("postgres")))
    elif command == "stop" and os.path.exists(state):
        with open(state) as f:
            directory = f.readline().strip()
        Cluster(directory).stop()
        os.remove(state)


if __name__ == "__main__":
    main(*sys.argv[1:3])
