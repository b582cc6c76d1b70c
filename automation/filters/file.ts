/**
 * A filters file (`--filter-file FILE`): one filter per line, in the `--filter` language;
 * blank lines and `#` comments are ignored. Errors name the file and line.
 */
import * as fs from "node:fs";
import { FilterSyntaxError, parseFilter, type Filter } from "./parse";

/** Largest filters file read; a real one is a few lines. */
const MAX_FILTER_FILE_BYTES = 64 << 10;

export class FilterFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FilterFileError";
  }
}

export function readFilterFile(file: string): Filter[] {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new FilterFileError(`--filter-file ${file}: not a file`);
    if (stat.size > MAX_FILTER_FILE_BYTES) throw new FilterFileError(`--filter-file ${file}: larger than ${MAX_FILTER_FILE_BYTES} bytes`);
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof FilterFileError) throw e;
    throw new FilterFileError(`--filter-file ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? "I/O error"})`);
  }
  const filters: Filter[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (line.length === 0) return;
    try {
      filters.push(parseFilter(line));
    } catch (e) {
      if (e instanceof FilterSyntaxError) throw new FilterFileError(`${file}:${i + 1}: ${e.message.replace(/^--filter /, "filter ")}`);
      throw e;
    }
  });
  return filters;
}
