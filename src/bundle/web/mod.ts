/**
 * A bundle's browser page: the page itself (`page.ts`, an entry point bundled for the browser) and
 * the build that makes its files.
 *
 * @module
 */
export * from "./build.ts";
