package web

// isoNumeric maps ISO 3166-1 alpha-3 codes, which the scenario uses, to the
// numeric codes that key world-atlas's features. It covers the Eurasia
// scenario's states (a test checks that every one has a shape in the
// atlas); a state of another scenario that is missing here is listed in
// the tables but not drawn.
var isoNumeric = map[string]string{
	"AFG": "004", "ALB": "008", "AND": "020", "ARE": "784", "ARM": "051",
	"AUS": "036", "AUT": "040", "AZE": "031", "BEL": "056", "BGD": "050",
	"BGR": "100", "BHR": "048", "BIH": "070", "BLR": "112", "BRN": "096",
	"BTN": "064", "CAN": "124", "CHE": "756", "CHN": "156", "CYP": "196",
	"CZE": "203", "DEU": "276", "DNK": "208", "EGY": "818", "ESP": "724",
	"EST": "233", "FIN": "246", "FRA": "250", "GBR": "826", "GEO": "268",
	"GRC": "300", "HRV": "191", "HUN": "348", "IDN": "360", "IND": "356",
	"IRL": "372", "IRN": "364", "IRQ": "368", "ISL": "352", "ISR": "376",
	"ITA": "380", "JOR": "400", "JPN": "392", "KAZ": "398", "KGZ": "417",
	"KHM": "116", "KOR": "410", "KWT": "414", "LAO": "418", "LBN": "422",
	"LIE": "438", "LKA": "144", "LTU": "440", "LUX": "442", "LVA": "428",
	"MCO": "492", "MDA": "498", "MDV": "462", "MKD": "807", "MLT": "470",
	"MMR": "104", "MNE": "499", "MNG": "496", "MYS": "458", "NLD": "528",
	"NOR": "578", "NPL": "524", "OMN": "512", "PAK": "586", "PHL": "608",
	"POL": "616", "PRK": "408", "PRT": "620", "QAT": "634", "ROU": "642",
	"RUS": "643", "SAU": "682", "SGP": "702", "SMR": "674", "SRB": "688",
	"SVK": "703", "SVN": "705", "SWE": "752", "SYR": "760", "THA": "764",
	"TJK": "762", "TKM": "795", "TLS": "626", "TUR": "792", "UKR": "804",
	"USA": "840", "UZB": "860", "VNM": "704", "YEM": "887",
}
