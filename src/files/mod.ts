/**
 * Reading user-supplied files safely (regular files only, size caps, named errors) and the free
 * space a large write needs.
 *
 * @module
 */
export {
  type BoundedReadOptions,
  FILE_SIZE_LIMITS,
  readBoundedFile,
  readBoundedText,
} from "./bounded_read.ts";
export { formatBytes, freeBytes } from "./disk_space.ts";
export { pathExists } from "./exists.ts";
