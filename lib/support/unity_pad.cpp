// Intentionally empty: see lib/meson.build. Meson 1.0 expects (sources / unity_size) + 1
// unity objects from a unity static library used with link_whole, one too many when the
// number of sources is a multiple of unity_size; this file is added only then, to keep the
// count off it.
