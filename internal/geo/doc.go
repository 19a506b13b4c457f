// Package geo holds the coordinate reference systems, the spatial file
// readers and the point-in-area index used by the Icarus importers and
// analyses.
//
// The package is pure: it opens no files, talks to no database or network,
// reads no clock and keeps no package-level mutable state. Readers take an
// io.Reader (or a string for a shapefile's .prj text); callers open files.
//
// Coordinate reference systems (CRS) are described by the CRS type, built
// with ParseCRS from an EPSG code, a URN, "CRS84" or an ESRI/OGC WKT1 string
// (CRSFromWKT). The geodesy (datums, Helmert shifts, Transverse Mercator,
// Lambert Conformal Conic and Web Mercator projections) comes from
// github.com/wroge/wgs84; geometries are github.com/paulmach/orb types. See
// docs/methods/crs.md for the supported systems, how WKT is matched to EPSG
// codes and the accuracy to expect.
//
// Readers (ReadGeoJSON, ReadShapefile, ReadKML) return a Collection whose
// features keep the coordinates of the source CRS; Reproject converts a
// geometry between two systems, and AreaIndex assigns points to areas
// (police districts, LSOAs, wards) quickly and exactly.
package geo
