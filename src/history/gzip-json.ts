// A stored run as gzip JSON without the JSON as one string: at 150,000 pods a report is
// ~300 MiB of compact JSON, which `gzipSync(JSON.stringify(report))` held whole (and again as
// the bytes handed to gzip) beside the report itself. Here a top-level array (the findings)
// is serialised one element at a time and the text is compressed a MiB at a time. The
// decompressed bytes are exactly JSON.stringify(value).
import { createGzip } from 'node:zlib';

/** JSON.stringify(value) of a plain object, in pieces: its top-level arrays element by element. */
export function* jsonPieces(value: object): Generator<string> {
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    yield JSON.stringify(value);
    return;
  }
  let first = true;
  yield '{';
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue; // as JSON.stringify
    yield `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (Array.isArray(v) && !('toJSON' in v)) {
      yield '[';
      for (let i = 0; i < v.length; i++) yield `${i > 0 ? ',' : ''}${JSON.stringify(v[i]) ?? 'null'}`;
      yield ']';
    } else {
      yield JSON.stringify(v);
    }
  }
  yield '}';
}

/** gzip of JSON.stringify(value), built from jsonPieces in ~1 MiB batches. */
export async function gzipJson(value: object): Promise<Buffer> {
  const gz = createGzip();
  const out: Buffer[] = [];
  gz.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  const write = async (text: string) => {
    if (!gz.write(text)) await new Promise<void>((resolve) => gz.once('drain', resolve));
  };
  let batch = '';
  for (const piece of jsonPieces(value)) {
    batch += piece;
    if (batch.length >= 1 << 20) {
      await write(batch);
      batch = '';
    }
  }
  if (batch.length > 0) await write(batch);
  gz.end();
  await done;
  return Buffer.concat(out);
}
