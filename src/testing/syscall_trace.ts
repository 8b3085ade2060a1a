/**
 * Test helper: runs a command under `strace -f` and reports what it did to the network and to the
 * file system, so tests can prove that nothing leaves the machine and nothing is written outside
 * the folders a run owns.
 *
 * @module
 */

/** What a traced run did. */
export interface SyscallReport {
  /** Exit code of the traced command. */
  code: number;
  /** Its standard error, decoded. */
  stderr: string;
  /** Network activity: inet sockets, connections, datagrams, name-service lookups (strace lines). */
  network: string[];
  /** Paths the run created or opened for writing (absolute, as traced). */
  written: string[];
}

/** Whether `strace` can trace here (installed, and ptrace allowed). */
export async function straceAvailable(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("strace", {
      args: ["-f", "-qq", "-o", "/dev/null", "true"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

const WRITE_FLAGS = /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/;
const TRACED = "network,open,openat,openat2,creat,mkdir,mkdirat,rename,renameat,renameat2," +
  "link,linkat,symlink,symlinkat,truncate";

/** Runs `command args` under strace with `env` (replacing the environment) in `cwd`. */
export async function traceRun(
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd: string; logFile: string },
): Promise<SyscallReport> {
  const { code, stderr } = await new Deno.Command("strace", {
    args: [
      "-f",
      "-qq",
      "-s",
      "256",
      "-e",
      `trace=${TRACED}`,
      "-o",
      options.logFile,
      command,
      ...args,
    ],
    env: options.env,
    clearEnv: true,
    cwd: options.cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  const log = await Deno.readTextFile(options.logFile);
  return { code, stderr: new TextDecoder().decode(stderr), ...analyseTrace(log, options.cwd) };
}

/** Joins strace's `<unfinished ...>` / `<... resumed>` halves into whole calls. */
function wholeCalls(log: string): string[] {
  const pending = new Map<string, string>();
  const calls: string[] = [];
  for (const line of log.split("\n")) {
    const match = /^(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [, pid, rest] = match;
    if (rest.endsWith("<unfinished ...>")) {
      pending.set(pid, rest.slice(0, -"<unfinished ...>".length));
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(rest);
    if (resumed) {
      calls.push((pending.get(pid) ?? "") + resumed[1]);
      pending.delete(pid);
      continue;
    }
    calls.push(rest);
  }
  return calls;
}

/** The network calls and written paths of a strace log (exported for its own test). */
export function analyseTrace(log: string, cwd: string): Pick<SyscallReport, "network" | "written"> {
  const network: string[] = [];
  const written: string[] = [];
  const absolute = (path: string) => (path.startsWith("/") ? path : `${cwd}/${path}`);
  for (const call of wholeCalls(log)) {
    const name = /^(\w+)\(/.exec(call)?.[1];
    if (!name) continue;
    const failed = /\)\s+=\s+-1\b/.test(call);
    const paths = [...call.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
    if (/^(socket|connect|sendto|sendmsg|sendmmsg|bind)$/.test(name)) {
      const inet = /AF_INET6?\b|AF_PACKET/.test(call);
      const resolver = /nscd|systemd\/resolve/.test(call);
      if (inet || resolver) network.push(call);
      continue;
    }
    if (failed) continue;
    if (/^(open|openat|openat2)$/.test(name)) {
      if (WRITE_FLAGS.test(call) && paths[0] !== undefined) written.push(absolute(paths[0]));
    } else if (name === "creat" || name === "truncate" || /^mkdir/.test(name)) {
      if (paths[0] !== undefined) written.push(absolute(paths[0]));
    } else if (/^(rename|link|symlink)/.test(name)) {
      const target = paths.at(-1);
      if (target !== undefined) written.push(absolute(target));
    }
  }
  return { network, written };
}
