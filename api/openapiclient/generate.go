// Package openapiclient is a Go client generated from docs/openapi.yaml by
// oapi-codegen, for the api package's tests: it shows that a generator can
// consume the spec and that what it makes works against the server
// (api/openapi_client_test.go). The CLI's participant commands
// (cmd/indivisible/remote.go) call the API through it.
package openapiclient

// The generator runs inside the api package's tests, at the version of
// go.mod; a test there fails when client.gen.go is not what it makes.
//go:generate go test -run ^TestOpenAPIClientIsCurrent$ .. -update-openapi-client
