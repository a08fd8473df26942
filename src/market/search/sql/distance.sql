-- Distances on the unit sphere (see 0007_search_bitmaps): an intake's place is a point
-- (x, y, z); the squared straight-line (chord) distance between it and (lat, lon) grows
-- with the great-circle distance, which it gives exactly: km = 2 R asin(chord / 2)
-- (search_chord_km), and a radius is a chord (search_km_chord2).
CREATE OR REPLACE FUNCTION search_chord2(x float8, y float8, z float8, lat float8, lon float8)
RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (x - cos(radians(lat)) * cos(radians(lon))) * (x - cos(radians(lat)) * cos(radians(lon)))
         + (y - cos(radians(lat)) * sin(radians(lon))) * (y - cos(radians(lat)) * sin(radians(lon)))
         + (z - sin(radians(lat))) * (z - sin(radians(lat)))
$$;

-- The IUGG mean radius, as market.geo.distance.
CREATE OR REPLACE FUNCTION search_chord_km(chord2 float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN chord2 >= 4 THEN pi() * 6371.0088  -- antipodes, past rounding
                ELSE 2 * 6371.0088 * asin(sqrt(chord2) / 2) END
$$;

CREATE OR REPLACE FUNCTION search_km_chord2(km float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT power(2 * sin(km / (2 * 6371.0088)), 2)
$$;
