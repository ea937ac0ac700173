// A baseline for the memory bench (bench/memory-side-by-side.ts): a Node process that does only the operator's
// I/O and nothing with it. One keep-alive TLS agent to the apiserver, a list and then a watch of each kind the
// operator caches, every watch event parsed and dropped, and an HTTP server on 127.0.0.1. What the operator holds
// above this is its own code and state; what this holds above a bare Node process is Node's TLS, HTTP and JSON.
// JavaScript, not TypeScript: running a .ts file would load Node's type stripper (about 16 MiB) into the baseline.
// Usage: node io-floor.mjs <apiserver URL> <CA file> <bearer token> <namespace>
const https = process.getBuiltinModule('node:https');
const http = process.getBuiltinModule('node:http');
const { readFileSync } = process.getBuiltinModule('node:fs');

const [server, caFile, token, namespace] = process.argv.slice(2);
const agent = new https.Agent({ keepAlive: true, ca: readFileSync(caFile) });
const { hostname, port } = new URL(server);

/** The kinds src/controller/caches.ts lists and watches. */
const KINDS = [
  `/apis/apps.hexactf.io/v1alpha1/namespaces/${namespace}/challenges`,
  `/apis/apps.hexactf.io/v1alpha1/namespaces/${namespace}/challengedefinitions`,
  `/apis/apps/v1/namespaces/${namespace}/deployments`,
  `/api/v1/namespaces/${namespace}/services`,
  `/api/v1/namespaces/${namespace}/pods`,
  `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies`,
];

/** GETs path; with onEvent, reads a watch stream line by line until it ends. */
function get(path, onEvent) {
  return new Promise((resolve, reject) => {
    const req = https.request({ hostname, port, path, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      let partial = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        if (!onEvent) {
          text += chunk;
          return;
        }
        // Whole lines are events; the last piece waits for the rest of its line.
        const lines = (partial + chunk).split('\n');
        partial = lines.pop();
        for (const line of lines) {
          onEvent(JSON.parse(line));
        }
      });
      res.on('end', () => resolve(onEvent ? undefined : JSON.parse(text)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function listAndWatch(path) {
  for (;;) {
    const list = await get(path);
    await get(`${path}?watch=1&allowWatchBookmarks=true&resourceVersion=${list.metadata.resourceVersion}`, () => {});
  }
}

for (const kind of KINDS) {
  listAndWatch(kind).catch((err) => {
    process.stderr.write(`io-floor: ${kind}: ${err.message}\n`);
    process.exit(1);
  });
}
http.createServer((_req, res) => res.end('ok\n')).listen(0, '127.0.0.1');
