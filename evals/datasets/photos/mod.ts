/**
 * The bundled photos (`data/photos`): their manifest items and `dataset.json`, and where each photo
 * comes from.
 *
 * @module
 */
export { photoItems, PHOTOS_INFO } from "./items.ts";
export { PHOTO_SOURCES, type PhotoSource } from "./sources.ts";
