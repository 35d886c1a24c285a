// Node fetch probe (undici): AbortSignal.timeout(3000) covers the whole exchange
// incl. res.text(). One output line.  usage: node probe.js [--upload] URL
const args = process.argv.slice(2);
const upload = args[0] === '--upload';
const url = args[args.length - 1];
function desc(e) {
  let s = `${e.name}: ${e.message}`;
  let c = e.cause, depth = 0;
  while (c && depth++ < 4) {
    s += ` <- cause ${c.name || typeof c}${c.code ? ' ' + c.code : ''}: ${c.message ?? String(c)}`;
    c = c.cause;
  }
  return s.replace(/\s+/g, ' ');
}
(async () => {
  try {
    const opts = { signal: AbortSignal.timeout(3000) };
    if (upload) { opts.method = 'POST'; opts.body = Buffer.alloc(5 * 1024 * 1024, 'a'); }
    const res = await fetch(url, opts);
    const text = await res.text();
    console.log(`ok status=${res.status} body_len=${Buffer.byteLength(text)}`);
  } catch (e) {
    console.log(desc(e));
  }
  process.exit(0);
})();
