// Reading the committed conformance JSON files (floor, known failures): a missing file is empty.
import { readFile } from 'node:fs/promises';

export async function readJsonObject(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  const doc: unknown = JSON.parse(text);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new TypeError(`${file}: expected a JSON object`);
  return doc as Record<string, unknown>;
}
