// Bind addresses of the metrics and health servers (--metrics-bind-address, --health-probe-bind-address).

/** ":8080" / "127.0.0.1:0" / "[::1]:8080" -> host + port; `flag` names the flag in the error. */
export function parseBindAddress(addr: string, flag = 'address'): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(addr);
  if (!m) {
    throw new Error(`--${flag}: expected [host]:port, got "${addr}"`);
  }
  const port = Number(m[2]);
  if (port > 65535) {
    throw new Error(`--${flag}: port out of range`);
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}
