// Replaces a file so that readers (and a crash at any moment) see either the old content or
// the whole new content, never a mix: write a temporary file in the same directory, fsync it,
// rename it over the target (atomic within one file system, POSIX rename(2)), then fsync the
// directory so the rename itself survives a power loss.
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Writes `chunks` in order to `path`, atomically. On failure the old file is left as it was. */
export async function writeFileAtomic(path: string, chunks: Iterable<string | Uint8Array>): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const file = await open(temporary, 'wx', 0o644);
  try {
    try {
      // writeFile on a handle writes the whole chunk at the current position (looping on short writes).
      for (const chunk of chunks) await file.writeFile(chunk);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
  await syncDirectory(directory);
}

async function syncDirectory(directory: string): Promise<void> {
  // Some file systems refuse fsync on a directory (EINVAL/EISDIR): the rename is done either way.
  const handle = await open(directory, 'r').catch(() => null);
  if (handle === null) return;
  try {
    await handle.sync().catch(() => {});
  } finally {
    await handle.close();
  }
}
