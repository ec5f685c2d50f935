package ir

import "math"

// ellipsoid is an ellipsoid of revolution with equatorial radius a (metres)
// and flattening f.
type ellipsoid struct{ a, f float64 }

// wgs84 is the World Geodetic System 1984 ellipsoid.
var wgs84 = ellipsoid{a: 6378137, f: 1 / 298.257223563}

// Distance returns the geodesic distance in kilometres between two points
// given in WGS84 degrees, on the WGS84 ellipsoid.
//
// It is Vincenty's (1975) inverse method: series for the longitude and the
// distance along the auxiliary sphere, accurate to well under a
// millimetre on the Earth, with his fixed-point iteration on the
// longitude. That iteration fails to converge for nearly antipodal points;
// there the azimuth is instead found by a bracketed root search on the
// monotonic function λ12(α1), as in Karney (2013, sec. 4, who uses
// Newton's method), which converges for every pair of points.
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	return wgs84.inverse(lat1, lon1, lat2, lon2) / 1000
}

// inverse returns the geodesic distance in metres between two points given
// in degrees.
func (e ellipsoid) inverse(lat1, lon1, lat2, lon2 float64) float64 {
	// Reduce to Karney's canonical configuration, which leaves the distance
	// unchanged: lat1 <= 0, |lat2| <= |lat1| and 0 <= L <= π.
	if math.Abs(lat2) > math.Abs(lat1) {
		lat1, lat2 = lat2, lat1
	}
	if lat1 > 0 {
		lat1, lat2 = -lat1, -lat2
	}
	L := math.Abs(math.Remainder(lon2-lon1, 360)) * math.Pi / 180
	b := e.a * (1 - e.f)
	sb1, cb1 := reducedLatitude(lat1, e.f)
	sb2, cb2 := reducedLatitude(lat2, e.f)
	if sb1 == sb2 && L == 0 {
		return 0
	}
	if sb1 == 0 && sb2 == 0 && L <= (1-e.f)*math.Pi {
		// Both on the equator and not nearly antipodal: the equator itself
		// is the geodesic.
		return e.a * L
	}
	g, ok := e.vincenty(sb1, cb1, sb2, cb2, L)
	if !ok {
		g = e.searchAzimuth(sb1, cb1, sb2, cb2, L)
	}
	return b * g.distanceFactor(e)
}

// vincenty solves the inverse problem by Vincenty's (1975) iteration on
// the longitude λ on the auxiliary sphere, eq. 13-17. It reports false
// when the iteration does not converge, which happens only for nearly
// antipodal points.
func (e ellipsoid) vincenty(sb1, cb1, sb2, cb2, L float64) (auxGeodesic, bool) {
	lambda := L
	for range vincentySteps {
		sl, cl := math.Sincos(lambda)
		ss := math.Hypot(cb2*sl, cb1*sb2-sb1*cb2*cl)
		if ss == 0 { // antipodal (coincident points never get here)
			return auxGeodesic{}, false
		}
		cs := sb1*sb2 + cb1*cb2*cl
		sigma := math.Atan2(ss, cs)
		sa := cb1 * cb2 * sl / ss
		ca2 := 1 - sa*sa
		cos2sm := 0.0 // on the equator
		if ca2 != 0 {
			cos2sm = cs - 2*sb1*sb2/ca2
		}
		next := L + e.lambdaCorrection(sa, ca2, sigma, cos2sm)
		if math.Abs(next) > math.Pi {
			return auxGeodesic{}, false
		}
		if math.Abs(next-lambda) <= vincentyTolerance {
			return auxGeodesic{cos2a0: ca2, sigma: sigma, cos2sm: cos2sm, lambda: next}, true
		}
		lambda = next
	}
	return auxGeodesic{}, false
}

// searchAzimuth solves the inverse problem in the canonical configuration
// by finding the azimuth α1 at which λ12(α1) = L. λ12 rises monotonically
// from 0 at α1 = 0 (due north) to π at α1 = π (due south). When both points
// share a latitude the geodesic heads towards the nearer (southern) pole,
// so the solution lies in [π/2, π]; the formulas give λ12 = 0 below π/2
// there, so the search needs no special case. The root stays bracketed in
// [lo, hi]; the Illinois variant of regula falsi converges superlinearly,
// and a bisection step is taken whenever the secant leaves the bracket.
func (e ellipsoid) searchAzimuth(sb1, cb1, sb2, cb2, L float64) auxGeodesic {
	lo, hi := 0.0, math.Pi
	flo, fhi := -L, math.Pi-L
	var g auxGeodesic
	side := 0
	for range searchSteps {
		x := (lo*fhi - hi*flo) / (fhi - flo)
		if !(x > lo && x < hi) {
			x = lo + (hi-lo)/2
		}
		g = e.geodesic(sb1, cb1, sb2, cb2, x)
		fx := g.lambda - L
		if math.Abs(fx) <= searchTolerance || hi-lo <= searchTolerance {
			break
		}
		if fx < 0 {
			lo, flo = x, fx
			if side < 0 {
				fhi /= 2
			}
			side = -1
		} else {
			hi, fhi = x, fx
			if side > 0 {
				flo /= 2
			}
			side = 1
		}
	}
	return g
}

// Convergence limits. Vincenty's tolerance of 1e-12 rad on λ is 6 µm on the
// Earth; the search stops when λ12 is within 1e-15 rad of L (6 nm) or the
// bracket is that narrow, which near antipodes, where λ12(α1) is flat,
// bounds the error just as well. The step limits only guard against loops
// that fail to converge: Vincenty's needs a handful of steps when it
// converges at all, the search a dozen or so.
const (
	vincentySteps     = 100
	vincentyTolerance = 1e-12
	searchSteps       = 200
	searchTolerance   = 1e-15
)

// reducedLatitude returns the sine and cosine of the reduced (parametric)
// latitude β, tan β = (1-f) tan φ, of the latitude φ in degrees.
func reducedLatitude(lat, f float64) (sin, cos float64) {
	s, c := math.Sincos(lat * math.Pi / 180)
	s *= 1 - f
	h := math.Hypot(s, c)
	return s / h, c / h
}

// auxGeodesic is the geodesic leaving the first point at azimuth α1, mapped
// onto the auxiliary sphere up to its first arrival at the second point's
// latitude.
type auxGeodesic struct {
	cos2a0 float64 // cos² α0, α0 the azimuth at the equator crossing
	sigma  float64 // arc length σ12 on the auxiliary sphere
	cos2sm float64 // cos 2σm, σm the arc midpoint measured from the node
	lambda float64 // longitude difference λ12 on the ellipsoid
}

// geodesic follows the geodesic from β1 at azimuth alpha1 to latitude β2,
// given as sines and cosines, in the canonical configuration of inverse.
func (e ellipsoid) geodesic(sb1, cb1, sb2, cb2, alpha1 float64) auxGeodesic {
	sa1, ca1 := math.Sincos(alpha1)
	sa0 := sa1 * cb1 // Clairaut: sin α0 = sin α1 cos β1
	ca0sq := 1 - sa0*sa0
	var ca2 float64 // cos α2 >= 0: first arrival at β2 heading north
	if cb1 == cb2 {
		ca2 = math.Abs(ca1)
	} else {
		ca2 = math.Sqrt(ca1*ca1*cb1*cb1+(cb2*cb2-cb1*cb1)) / cb2
	}
	// Arc lengths σ and longitudes ω on the auxiliary sphere, from the node.
	ss1, cs1 := sb1, ca1*cb1
	ss2, cs2 := sb2, ca2*cb2
	sw1, cw1 := sa0*sb1, ca1*cb1
	sw2, cw2 := sa0*sb2, ca2*cb2
	sigma := math.Atan2(math.Max(0, cs1*ss2-ss1*cs2), cs1*cs2+ss1*ss2)
	omega := math.Atan2(math.Max(0, cw1*sw2-sw1*cw2), cw1*cw2+sw1*sw2)
	s1, s2 := math.Atan2(ss1, cs1), math.Atan2(ss2, cs2)
	cos2sm := math.Cos(s1 + s2)
	lambda := omega - e.lambdaCorrection(sa0, ca0sq, sigma, cos2sm)
	return auxGeodesic{cos2a0: ca0sq, sigma: sigma, cos2sm: cos2sm, lambda: lambda}
}

// lambdaCorrection returns λ - ω, the difference between the longitude on
// the ellipsoid and on the auxiliary sphere, by Vincenty (1975), eq. 10-11:
// (1-C) f sin α0 (σ + C sin σ (cos 2σm + C cos σ (-1 + 2 cos² 2σm))).
func (e ellipsoid) lambdaCorrection(sa0, ca0sq, sigma, cos2sm float64) float64 {
	f := e.f
	C := f / 16 * ca0sq * (4 + f*(4-3*ca0sq))
	ss, cs := math.Sincos(sigma)
	return (1 - C) * f * sa0 * (sigma + C*ss*(cos2sm+C*cs*(-1+2*cos2sm*cos2sm)))
}

// distanceFactor returns s/b, the geodesic's length in units of the polar
// radius, by Vincenty's (1975) eq. 3-6.
func (g auxGeodesic) distanceFactor(e ellipsoid) float64 {
	ep2 := e.f * (2 - e.f) / ((1 - e.f) * (1 - e.f)) // second eccentricity squared
	u2 := g.cos2a0 * ep2
	A := 1 + u2/16384*(4096+u2*(-768+u2*(320-175*u2)))
	B := u2 / 1024 * (256 + u2*(-128+u2*(74-47*u2)))
	ss, cs := math.Sincos(g.sigma)
	c2 := g.cos2sm
	ds := B * ss * (c2 + B/4*(cs*(-1+2*c2*c2)-B/6*c2*(-3+4*ss*ss)*(-3+4*c2*c2)))
	return A * (g.sigma - ds)
}
