package ir

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// dms converts degrees, minutes and seconds to degrees; the sign of d
// applies to the whole angle (write -dms(0, m, s) for negative angles
// under one degree, since the constant -0 is +0).
func dms(d, m, s float64) float64 {
	v := math.Abs(d) + m/60 + s/3600
	if math.Signbit(d) {
		return -v
	}
	return v
}

func TestInverseReferenceLines(t *testing.T) {
	bessel := ellipsoid{a: 6377397.155, f: 1 / 299.1528128}
	international := ellipsoid{a: 6378388, f: 1.0 / 297}
	for _, tc := range []struct {
		name                   string
		e                      ellipsoid
		lat1, lon1, lat2, lon2 float64
		want                   float64 // metres
		tol                    float64
	}{
		// Vincenty (1975), test lines (a)-(e).
		{"Vincenty a", bessel, dms(55, 45, 0), 0, dms(-33, 26, 0), dms(108, 13, 0), 14110526.170, 1e-3},
		{"Vincenty b", international, dms(37, 19, 54.95367), 0, dms(26, 7, 42.83946), dms(41, 28, 35.50729), 4085966.703, 1e-3},
		{"Vincenty c", international, dms(35, 16, 11.24862), 0, dms(67, 22, 14.77638), dms(137, 47, 28.31435), 8084823.839, 1e-3},
		{"Vincenty d", international, 1, 0, -dms(0, 59, 53.83076), dms(179, 17, 48.02997), 19960000.000, 1e-3},
		{"Vincenty e", international, 1, 0, dms(1, 1, 15.18952), dms(179, 46, 17.84244), 19780006.558, 1e-3},
		// Geoscience Australia's worked example on GRS80 (= WGS84 to 0.1 mm).
		{"Flinders Peak-Buninyong", wgs84, dms(-37, 57, 3.72030), dms(144, 25, 29.52440), dms(-37, 39, 10.15610), dms(143, 55, 35.38390), 54972.271, 1e-3},
		// GeographicLib's documented examples (Karney 2013).
		{"JFK-LHR", wgs84, 40.6, -73.8, 51.6, -0.5, 5551759.400319, 1e-3},
		{"Karney 2013 nearly antipodal", wgs84, -30, 0, 29.9, 179.8, 19989832.827610, 1e-3},
		// Limits: a quarter meridian and half the equator.
		{"pole to equator", wgs84, 0, 0, 90, 0, 10001965.729, 1e-3},
		{"equator half-way", wgs84, 0, 0, 0, 179, 179 * math.Pi / 180 * 6378137, 1e-6},
		{"same point", wgs84, 12.5, 99, 12.5, 99, 0, 0},
		// Antipodes, where the geodesic runs over a pole: half a meridian.
		{"pole to pole", wgs84, 90, 0, -90, 0, 20003931.459, 1e-3},
		{"equatorial antipodes", wgs84, 0, 0, 0, 180, 20003931.459, 1e-3},
		{"antipodes", wgs84, 45, 10, -45, -170, 20003931.459, 1e-3},
	} {
		got := tc.e.inverse(tc.lat1, tc.lon1, tc.lat2, tc.lon2)
		if math.Abs(got-tc.want) > tc.tol {
			t.Errorf("%s: inverse = %.6f m, want %.6f m (diff %.3g m)", tc.name, got, tc.want, got-tc.want)
		}
	}
}

func TestDistanceKilometres(t *testing.T) {
	got := Distance(dms(-37, 57, 3.72030), dms(144, 25, 29.52440), dms(-37, 39, 10.15610), dms(143, 55, 35.38390))
	if math.Abs(got-54.972271) > 1e-6 {
		t.Errorf("Distance = %v km, want 54.972271", got)
	}
}

// TestNearlyEquatorial is a case rapid found against an earlier version
// that searched the azimuth everywhere: there λ12(α1) is so steep that the
// search resolved the distance only to 3 mm, and shifting both longitudes
// changed the result by that much.
func TestNearlyEquatorial(t *testing.T) {
	a := Distance(5.960464477539063e-08, 1.0000000000000004, 3.639755163931113e-12, -0.75)
	b := Distance(5.960464477539063e-08, 5.0000000000000004, 3.639755163931113e-12, 3.25)
	if math.Abs(a-b) > 1e-9 {
		t.Errorf("distance changes under a longitude shift: %.12f vs %.12f km", a, b)
	}
}

// TestDistanceProperties checks symmetry, invariance under a shift in
// longitude, and that no geodesic is longer than half the equator.
func TestDistanceProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lat1 := rapid.Float64Range(-90, 90).Draw(t, "lat1")
		lat2 := rapid.Float64Range(-90, 90).Draw(t, "lat2")
		lon1 := rapid.Float64Range(-180, 180).Draw(t, "lon1")
		lon2 := rapid.Float64Range(-180, 180).Draw(t, "lon2")
		shift := rapid.Float64Range(-180, 180).Draw(t, "shift")
		d := Distance(lat1, lon1, lat2, lon2)
		if math.IsNaN(d) || d < 0 || d > math.Pi*wgs84.a/1000+1e-9 {
			t.Fatalf("Distance = %v out of range", d)
		}
		if r := Distance(lat2, lon2, lat1, lon1); math.Abs(r-d) > 1e-9 {
			t.Fatalf("not symmetric: %v vs %v", d, r)
		}
		if s := Distance(lat1, lon1+shift, lat2, lon2+shift); math.Abs(s-d) > 1e-6 {
			t.Fatalf("not invariant under a longitude shift: %v vs %v", d, s)
		}
	})
}

// TestSearchMatchesVincenty checks the fallback used near antipodes
// against Vincenty's iteration wherever the latter converges. Both use the
// same series, so they must agree to far below a millimetre; nearly
// equatorial lines are left out because there λ12(α1) is so steep that
// the search resolves α1 only to about a millimetre.
func TestSearchMatchesVincenty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lat1 := rapid.Float64Range(-89, -1).Draw(t, "lat1")
		lat2 := rapid.Float64Range(lat1, -lat1).Draw(t, "lat2")
		L := rapid.Float64Range(0.001, 179).Draw(t, "L") * math.Pi / 180
		sb1, cb1 := reducedLatitude(lat1, wgs84.f)
		sb2, cb2 := reducedLatitude(lat2, wgs84.f)
		v, ok := wgs84.vincenty(sb1, cb1, sb2, cb2, L)
		if !ok {
			t.Skip("Vincenty's iteration does not converge")
		}
		s := wgs84.searchAzimuth(sb1, cb1, sb2, cb2, L)
		b := wgs84.a * (1 - wgs84.f)
		if d := b * (v.distanceFactor(wgs84) - s.distanceFactor(wgs84)); math.Abs(d) > 1e-5 {
			t.Fatalf("Vincenty and search differ by %v m", d)
		}
	})
}
