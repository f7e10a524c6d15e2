package store

import "github.com/acercate/acercate/flows"

// Deps returns the services the flows use, all backed by this store.
func (s *DB) Deps() *flows.Deps {
	return &flows.Deps{
		Log:       s,
		Shelters:  s,
		Denuncias: s.Denuncias(),
		Tickets:   s.Tickets(),
		// The staff desk's view of denuncias (store/tickets_desk.go).
		DenunciaDesk: s.DenunciaDesk(),
		Privacy:      s,
		Directory:    s,
	}
}
