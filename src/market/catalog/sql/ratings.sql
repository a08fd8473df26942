-- The learners' rating a course is sorted by, for SQL: the Bayesian average of its visible
-- reviews in thousandths, 0 without any. The Python rule (market.catalog.ratings) is the
-- definition, with its figures (a prior of 5 ratings of 3) and reasons; this is its twin,
-- held equal by tests/reviews/test_rating_rule.py. A plain SQL expression, inlined by the
-- planner.
CREATE OR REPLACE FUNCTION rating_score(p_count integer, p_total integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_count > 0
                THEN ((1000 * (15 + p_total::bigint) + (5 + p_count) / 2) / (5 + p_count))::integer
                ELSE 0 END
$$;
