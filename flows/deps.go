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
	// Channel is the adapter the event came through (Address.Channel:
	// "telegram", "web"), for the report's channel breakdown.
	Channel string
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
	// Modulos tells where the office's módulos are (info.go); nil
	// means none is known.
	Modulos Modulos
	// Privacy erases what is kept about a person (/borrar) and says how
	// long things are kept (privacy.go).
	Privacy Privacy
	// Directory is the office's reference directory (directory.go).
	Directory Directory
	// Codes tells the campaigns and módulos that exist; nil: every
	// well-formed code is taken.
	Codes Codes
}

// Codes are the office's campaign and módulo codes (the store).
type Codes interface {
	// KnownCode reports whether an attribution ("c-feria", "m-tapachula")
	// names a campaign or módulo that exists.
	KnownCode(ctx context.Context, attribution string) (bool, error)
}
