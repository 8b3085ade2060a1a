/**
 * Reading user-supplied files safely: regular files only, size caps, named errors.
 *
 * @module
 */
export {
  type BoundedReadOptions,
  FILE_SIZE_LIMITS,
  readBoundedFile,
  readBoundedText,
} from "./bounded_read.ts";
