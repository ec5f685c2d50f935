package api

import (
	"net/http"
	"strconv"

	"github.com/indivisible-eurasia/indivisible"
)

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, indivisible.Invalid(name, "%q is not an ID", r.PathValue(name))
	}
	return id, nil
}

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request) (int, any, error) {
	as, err := s.cfg.AccountService.Accounts(r.Context(), account(r))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"accounts": as}, nil
}

// accountRequest is the body of POST /api/v1/accounts.
type accountRequest struct {
	Name        string                     `json:"name"`
	Role        indivisible.AccountRole    `json:"role"`
	Participant string                     `json:"participant"`
	Kind        indivisible.DelegationKind `json:"kind"`
}

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) (int, any, error) {
	req, err := decode[accountRequest](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	a := &indivisible.Account{Name: req.Name, Role: req.Role, Participant: req.Participant, Kind: req.Kind}
	if err := s.cfg.AccountService.CreateAccount(r.Context(), account(r), a); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, a, nil
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	a, err := s.cfg.AccountService.Account(r.Context(), account(r), id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, a, nil
}

func (s *Server) whoami(w http.ResponseWriter, r *http.Request) (int, any, error) {
	return http.StatusOK, account(r), nil
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	ts, err := s.cfg.AccountService.Tokens(r.Context(), account(r), id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"tokens": ts}, nil
}

// newToken is the only response that ever carries a token's secret.
type newToken struct {
	*indivisible.Token
	Secret string `json:"secret"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	req, err := decode[struct {
		Name string `json:"name"`
	}](s, w, r)
	if err != nil {
		return 0, nil, err
	}
	t, secret, err := s.cfg.AccountService.CreateToken(r.Context(), account(r), id, req.Name)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, newToken{t, secret}, nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	if err := s.cfg.AccountService.RevokeToken(r.Context(), account(r), id); err != nil {
		return 0, nil, err
	}
	s.tokens.clear()
	return http.StatusOK, map[string]any{"revoked": id}, nil
}
