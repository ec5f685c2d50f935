// Package ir computes validated international-relations measures on the
// published data sets of the discipline, exactly as their authors define
// them:
//
//   - CINC, the Composite Index of National Capability (Singer, Bremer &
//     Stuckey 1972), from the Correlates of War National Material
//     Capabilities components;
//   - S scores of alliance-portfolio similarity, unweighted and weighted by
//     capability (Signorino & Ritter 1999; Häge 2011), and Kendall's tau-b
//     between portfolios, from ATOP alliance obligations (Leeds et al. 2002);
//   - geodesic distances between capitals on the WGS84 ellipsoid (Vincenty
//     1975; Karney 2013) and COW direct contiguity (Stinnett et al. 2002).
//
// The readers (ReadNMC, ReadCapitals, ReadContiguity, ReadATOP) accept the
// exact column layouts of the files described in docs/model.md and reject
// anything else with an *indivisible.Error whose Field is
// "file:line:column". BuildScenario turns one year of these data into a
// scenario the model can assess.
package ir
