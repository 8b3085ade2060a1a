/**
 * Where each bundled photo (`data/photos`) comes from: the Debian package that ships it, the file
 * inside the package, the upstream origin and the licence as stated upstream and by Debian.
 *
 * @module
 */

/** One source photograph. */
export interface PhotoSource {
  /** Short id, also the image file name (`images/<id>.jpg`). */
  id: string;
  /** Debian package (bookworm) and version the file was taken from. */
  debianPackage: string;
  /** Path of the file inside the package. */
  path: string;
  /** Raw layout for files that are not images (scipy's face.dat: bzip2 of raw RGB bytes). */
  raw?: { width: number; height: number; bzip2: true };
  /** Upstream origin of the photograph. */
  origin: string;
  /** SPDX-style licence id of the photograph. */
  license: "CC0-1.0" | "public-domain";
  /** The licence statement and where it was read. */
  licenseNote: string;
}

const SKIMAGE = "python3-skimage 0.19.3-8";
const SKIMAGE_DATA = "usr/lib/python3/dist-packages/skimage/data";
const SKIMAGE_NOTE = "per the docstring of skimage/data/_fetchers.py; Debian's copyright file " +
  "lists the package as BSD-3-clause without a separate entry for the data images";
const PALAPELI = "palapeli-data 4:22.12.3-1";
const PALAPELI_NOTE = "per X-KDE-PluginInfo-License=Public Domain in the puzzle's .desktop file " +
  "(image from Wikimedia Commons); Debian's copyright file has no per-image entry (Files: * GPL-2+)";

/** Every bundled photo, in manifest order. */
export const PHOTO_SOURCES: readonly PhotoSource[] = [
  {
    id: "astronaut",
    debianPackage: SKIMAGE,
    path: `${SKIMAGE_DATA}/astronaut.png`,
    origin: "NASA Great Images database (https://flic.kr/p/r9qvLn): astronaut Eileen Collins",
    license: "public-domain",
    licenseNote:
      `"No known copyright restrictions, released into the public domain", ${SKIMAGE_NOTE}`,
  },
  {
    id: "camera",
    debianPackage: SKIMAGE,
    path: `${SKIMAGE_DATA}/camera.png`,
    origin: "photograph by Lav Varshney (scikit-image's 'camera' test image)",
    license: "CC0-1.0",
    licenseNote: `"No copyright restrictions. CC0 by the photographer", ${SKIMAGE_NOTE}`,
  },
  {
    id: "chelsea",
    debianPackage: SKIMAGE,
    path: `${SKIMAGE_DATA}/chelsea.png`,
    origin: "photograph of Chelsea the cat by Stefan van der Walt",
    license: "CC0-1.0",
    licenseNote: `"No copyright restrictions. CC0 by the photographer", ${SKIMAGE_NOTE}`,
  },
  {
    id: "coffee",
    debianPackage: SKIMAGE,
    path: `${SKIMAGE_DATA}/coffee.png`,
    origin: "photograph by Rachel Michetti, courtesy of Pikolo Espresso Bar",
    license: "CC0-1.0",
    licenseNote: `"No copyright restrictions. CC0 by the photographer", ${SKIMAGE_NOTE}`,
  },
  {
    id: "rocket",
    debianPackage: SKIMAGE,
    path: `${SKIMAGE_DATA}/rocket.jpg`,
    origin: "SpaceX launch photo of DSCOVR on Falcon 9 " +
      "(https://www.flickr.com/photos/spacexphotos/16511594820/)",
    license: "public-domain",
    licenseNote: `"captured by SpaceX and released in the public domain", ${SKIMAGE_NOTE}`,
  },
  {
    id: "grace_hopper",
    debianPackage: "python-matplotlib-data 3.6.3-1",
    path: "usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg",
    origin: "official US Navy portrait of Commodore Grace M. Hopper",
    license: "public-domain",
    licenseNote: "not stated inside the package; an official US Navy photograph is a work of the " +
      "US federal government and so public domain (as on Wikimedia Commons). Debian's copyright " +
      "file covers matplotlib's sample data by the package's PSF-style licence, with no entry of its own",
  },
  {
    id: "raccoon",
    debianPackage: "python3-scipy 1.10.1-2",
    path: "usr/lib/python3/dist-packages/scipy/misc/face.dat",
    raw: { width: 1024, height: 768, bzip2: true },
    origin: "raccoon-procyon-lotor.jpg from http://www.public-domain-image.com (scipy.misc.face)",
    license: "public-domain",
    licenseNote: "per the docstring of scipy/misc/_common.py (public-domain-image.com); Debian's " +
      "copyright file lists the package as BSD-3-clause (its ascent.dat entry says public-domain)",
  },
  {
    id: "bridge",
    debianPackage: PALAPELI,
    path: "usr/share/palapeli/collection/cincinnati-bridge.jpg",
    origin: "Roebling Suspension Bridge, Cincinnati, by Derek Jensen " +
      "(https://commons.wikimedia.org/wiki/File:Cincinnati-roebling-suspension-bridge.jpg)",
    license: "public-domain",
    licenseNote: PALAPELI_NOTE,
  },
  {
    id: "citrus",
    debianPackage: PALAPELI,
    path: "usr/share/palapeli/collection/citrus-fruits.jpg",
    origin: "Citrus fruits, US Department of Agriculture " +
      "(https://commons.wikimedia.org/wiki/File:Citrus_fruits.jpg)",
    license: "public-domain",
    licenseNote: PALAPELI_NOTE,
  },
  {
    id: "honey_bee",
    debianPackage: PALAPELI,
    path: "usr/share/palapeli/collection/european-honey-bee.jpg",
    origin: "European honey bee extracting nectar, by John Severns " +
      "(https://commons.wikimedia.org/wiki/File:European_honey_bee_extracts_nectar.jpg)",
    license: "public-domain",
    licenseNote: PALAPELI_NOTE,
  },
];
