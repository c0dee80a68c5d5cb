#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz-unit-file, test/fuzz/corpus/unit-file/.

  tools/gen-fuzz-seeds.py            rewrite the corpus directory
  tools/gen-fuzz-seeds.py --check    exit 1 if it is out of date

Two kinds of seeds:
  directive-SECTION-KEY   one small, otherwise valid unit per row of
                          src/shared/unit-directives.gperf, setting that key to
                          a plausible value chosen by its parser function
                          (unsupported rows get a generic word);
  case-NAME[-FILE]        every file of the verify corpus (test/verify-cases)
                          up to 64 KiB, malformed ones included.

Seeds are plain files; the fuzz target loads each as a socket and as a
service unit.  Seed names are deterministic, so reruns change nothing.
"""
import hashlib
import pathlib
import re
import sys

TOP = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP / "tools"))
sys.path.insert(0, str(TOP / "test" / "verify-cases"))
import directive_table  # noqa: E402
import verifycases  # noqa: E402

CORPUS = TOP / "test" / "fuzz" / "corpus" / "unit-file"
MAX_CASE_FILE = 64 * 1024

# A plausible value per parser function (for keys needing better, below).
BY_PARSER = {
    "config_parse_bool": "yes",
    "config_parse_default_instance": "inst",
    "config_parse_documentation": "man:porter.unit(5) https://example.org/doc",
    "config_parse_emergency_action": "none",
    "config_parse_env_file": "-/etc/default/%N",
    "config_parse_environ": "\"A=1\" B=two 'C=x y'",
    "config_parse_exec": "-@/bin/echo echo \"a b\" 'c' \\x41 %n $VAR ${VAR}",
    "config_parse_exec_directories": "porter/%N",
    "config_parse_exec_input": "socket",
    "config_parse_exec_nice": "-5",
    "config_parse_exec_output": "journal",
    "config_parse_exec_preserve_mode": "restart",
    "config_parse_fdname": "web",
    "config_parse_iec_size": "1.5M",
    "config_parse_install_names": "sockets.target",
    "config_parse_int": "6",
    "config_parse_ip_tos": "low-delay",
    "config_parse_kill_mode": "mixed",
    "config_parse_long": "10",
    "config_parse_mode": "0640",
    "config_parse_mptcp_fallback": "no",
    "config_parse_notify_access": "main",
    "config_parse_obsolete_unit_deps": "other.service",
    "config_parse_pass_environ": "PATH LANG",
    "config_parse_pid_file": "/run/%N.pid",
    "config_parse_rlimit": "1024:4096",
    "config_parse_sec": "5min 20s",
    "config_parse_sec_fix_0": "0",
    "config_parse_service_restart": "on-failure",
    "config_parse_service_sockets": "t.socket other.socket",
    "config_parse_service_timeout": "1h30min",
    "config_parse_service_type": "notify",
    "config_parse_set_status": "1 2 SIGUSR1",
    "config_parse_signal": "SIGUSR2",
    "config_parse_socket_bind": "ipv6-only",
    "config_parse_socket_bindtodevice": "lo",
    "config_parse_socket_defer_trigger": "patient",
    "config_parse_socket_listen": "127.0.0.1:8080",
    "config_parse_socket_protocol": "mptcp",
    "config_parse_socket_service": "other.service",
    "config_parse_socket_timestamping": "ns",
    "config_parse_string": "cubic",
    "config_parse_unit_condition_path": "|!/etc/porter-%N",
    "config_parse_unit_condition_string": "!container",
    "config_parse_unit_deps": "network.target other@%i.service",
    "config_parse_unit_mounts_for": "/var/lib/%N",
    "config_parse_unit_path_strv_printf": "/run/%N.link",
    "config_parse_unit_string_printf": "Fuzz %n on %H",
    "config_parse_unset_environ": "A B=1",
    "config_parse_unsigned": "128",
    "config_parse_user_group": "nobody",
    "config_parse_user_group_strv": "adm 4",
    "config_parse_working_directory": "-~",
    "config_parse_unsupported": "yes",
}
BY_KEY = {
    "ListenDatagram": "[::1]:9000",
    "ListenSequentialPacket": "@porter-fuzz",
    "ListenFIFO": "/run/porter-fuzz.fifo",
    "ListenSpecial": "/dev/null",
    "ListenNetlink": "kobject-uevent 1",
    "ListenMessageQueue": "/porter-fuzz",
    "ListenUSBFunction": "/run/ffs",
    "ListenStream": "/run/%N.sock",
    "Type": "notify",
}


def seed_for(d):
    value = BY_KEY.get(d.key) or BY_PARSER.get(d.parser, "value")
    line = f"{d.key}={value}\n"
    if d.section == "Socket":
        body = "[Socket]\nListenStream=127.0.0.1:8080\n" + line
    elif d.section == "Service":
        body = "[Service]\nExecStart=/bin/true\n" + line
    else:
        body = f"[{d.section}]\n" + line + "[Socket]\nListenStream=127.0.0.1:8080\n"
    return body.encode()


def safe_name(s):
    s = re.sub(r"[^A-Za-z0-9_.-]", "_", s)
    if len(s) > 120:
        s = s[:100] + "-" + hashlib.sha1(s.encode()).hexdigest()[:12]
    return s


def seeds():
    out = {}
    for d in directive_table.read_table():
        out[f"directive-{d.section}-{d.key}"] = seed_for(d)
    for c in verifycases.load_cases():
        src = verifycases.CASES_DIR / c["name"]
        for rel in verifycases.case_file_names(c):
            p = src / rel
            if not p.is_file() or p.is_symlink() or p.stat().st_size > MAX_CASE_FILE:
                continue
            out[safe_name(f"case-{c['name']}-{rel}")] = p.read_bytes()
    return out


def main(argv):
    want = seeds()
    have = {p.name: p.read_bytes() for p in CORPUS.glob("*")} if CORPUS.is_dir() else {}
    if argv[:1] == ["--check"]:
        if want != have:
            print(f"{CORPUS} is out of date: run {sys.argv[0]}", file=sys.stderr)
            return 1
        return 0
    CORPUS.mkdir(parents=True, exist_ok=True)
    for name in set(have) - set(want):
        (CORPUS / name).unlink()
    for name, data in want.items():
        if have.get(name) != data:
            (CORPUS / name).write_bytes(data)
    print(f"{CORPUS}: {len(want)} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
