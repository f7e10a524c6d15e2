package flows

import (
	"context"
	"time"
)

// Request is one row of the request log: what kind of thing a person did
// and where the conversation took it, never who they are or what they wrote.
type Request struct {
	UpdateID int64
	At       time.Time
	// Person is the keyed hash of the person, never their id.
	Person string
	// Kind is the event kind, or what the engine made of it: "flood",
	// "invalid", "too_long", "stale", "duplicate" is never logged.
	Kind string
	// Flow, Topic and Detail say what was asked: "rights", "comar", "".
	Flow, Topic, Detail string
	Lang                string
	// Campaign and Modulo are the attribution in force, without prefix.
	Campaign, Modulo string
}

// RequestLog records handled events for the office's metrics.
// LogRequest must be idempotent by (UpdateID, Person): an event handled
// again after a crash must not be counted twice.
type RequestLog interface {
	LogRequest(ctx context.Context, r Request) error
}

// Deps are the services steps use, implemented by the store.
type Deps struct {
	Log RequestLog
	// Shelters is the shelter directory (albergues).
	Shelters Shelters
	// Denuncias files denuncias and tells their status (denuncia.go).
	Denuncias Denuncias
	// Tickets are the conversations with the módulo staff (human.go).
	Tickets Tickets
	// DenunciaDesk is what staff do with denuncias from their group.
	DenunciaDesk DenunciaDesk
	// Privacy erases what is kept about a person (/borrar) and says how
	// long things are kept (privacy.go).
	Privacy Privacy
	// Directory is the office's reference directory (directory.go).
	Directory Directory
}
