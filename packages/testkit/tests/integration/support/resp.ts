import { connect } from 'node:net';

/** One connection: AUTH, then one command; returns the command's reply as nested strings. */
export function respCall(
  address: { host: string; port: number },
  auth: [string, string],
  command: string[],
): Promise<{ authOk: boolean; reply: unknown }> {
  const encode = (args: string[]) =>
    `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = connect(address);
    let buffer = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const values: unknown[] = [];
      let offset = 0;
      for (;;) {
        const parsed = decode(buffer, offset);
        if (!parsed) break;
        values.push(parsed.value);
        offset = parsed.end;
      }
      const authOk = values[0] === 'OK';
      if (!authOk && values.length >= 1) {
        socket.end();
        resolve({ authOk, reply: undefined });
      } else if (values.length >= 2) {
        socket.end();
        resolve({ authOk, reply: values[1] });
      }
    });
    socket.write(encode(['AUTH', ...auth]) + encode(command));
  });
}

function decode(bytes: Buffer, offset: number): { value: unknown; end: number } | undefined {
  const lineEnd = bytes.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(bytes[offset]!);
  const header = bytes.subarray(offset + 1, lineEnd).toString();
  if (type === '+' || type === ':') return { value: header, end: lineEnd + 2 };
  if (type === '-') return { value: new Error(header), end: lineEnd + 2 };
  if (type === '$') {
    const length = Number(header);
    if (length < 0) return { value: null, end: lineEnd + 2 };
    if (bytes.length < lineEnd + 2 + length + 2) return undefined;
    return { value: bytes.subarray(lineEnd + 2, lineEnd + 2 + length).toString(), end: lineEnd + 4 + length };
  }
  if (type === '*') {
    const count = Number(header);
    const items: unknown[] = [];
    let cursor = lineEnd + 2;
    for (let i = 0; i < count; i++) {
      const item = decode(bytes, cursor);
      if (!item) return undefined;
      items.push(item.value);
      cursor = item.end;
    }
    return { value: items, end: cursor };
  }
  return { value: header, end: lineEnd + 2 };
}
