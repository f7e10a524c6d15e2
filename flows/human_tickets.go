package flows

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Ticket is a conversation a person asked to have with the módulo staff
// ("Hablar con una persona"). It is known to staff by its Code ("T12").
type Ticket struct {
	ID int64
	// Person is the keyed hash of the person; Chat is where to answer
	// them (kept sealed by the store, opened only to deliver).
	Person string
	Chat   Address
	// Lang is the person's language; Modulo and Campaign their attribution.
	Lang, Modulo, Campaign string
	// StaffChat is the staff group the ticket belongs to.
	StaffChat int64
	// Priority is PriorityNormal or PriorityUrgent; Status one of
	// TicketOpen, TicketTaken, TicketClosed.
	Priority, Status string
	// TakenBy and ClosedBy are keyed hashes of staff members ("person"
	// when the person closed it).
	TakenBy, ClosedBy string
	// OutOfHours is true when it was opened outside the staff's hours.
	OutOfHours bool
	// Topic tags the kind of case (TicketTopics; "" for none).
	Topic string
	// Times; zero when it has not happened.
	OpenedAt, TakenAt, FirstResponseAt, ClosedAt, AnnouncedAt time.Time
	// Announcements counts the posts to the staff group; GroupMessage is
	// the first post's message id, under which relays are threaded.
	Announcements int
	GroupMessage  int64
}

// Ticket priorities and statuses.
const (
	PriorityNormal = "normal"
	PriorityUrgent = "urgent"
	TicketOpen     = "open"
	TicketTaken    = "taken"
	TicketClosed   = "closed"
)

// Code is the ticket's id as staff type it: "T12".
func (t Ticket) Code() string { return "T" + strconv.FormatInt(t.ID, 10) }

// Active reports whether the ticket is open or taken.
func (t Ticket) Active() bool { return t.Status == TicketOpen || t.Status == TicketTaken }

// ParseTicketCode returns the id of "T12" (or "t12", "12"), or 0.
func ParseTicketCode(s string) int64 {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "T"), "t")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// Relay directions and kinds.
const (
	RelayIn  = "in"  // from the person to the staff group
	RelayOut = "out" // to the person (a staff reply, a notice)

	RelayText     = "text"
	RelayPhoto    = "photo"
	RelayLocation = "location"
	RelayNotice   = "notice" // a message of the service itself (closed, failed)
	// RelayVoice says the person sent a voice note or an audio: only that
	// it came, never the audio (human_voice.go).
	RelayVoice = "voice"
)

// Relay is one message passed between a person and the staff. The desk
// delivers it; the store keeps its content sealed and its fate recorded.
type Relay struct {
	ID     int64
	Ticket int64
	// Source identifies the event it came from: recording the same source
	// twice records it once.
	Source    string
	Direction string
	Kind      string
	// Text is the message (or a photo's caption); PhotoID a photo's file
	// id; Location a shared location.
	Text     string
	PhotoID  string
	Location *Location
	// By is the keyed hash of the staff member who wrote it ("out").
	By string
	// ReplyTo is the staff group message to answer if delivery fails.
	ReplyTo int64
	At      time.Time
	// What became of it: RelayPending, RelayDelivered, RelayFailed.
	Status   string
	Attempts int
	Message  int64
	Error    string
}

// Relay statuses.
const (
	RelayPending   = "pending"
	RelayDelivered = "delivered"
	RelayFailed    = "failed"
)

// NewTicket is what opening a ticket records.
type NewTicket struct {
	Source, Person string
	Chat           Address
	Lang           string
	Modulo         string
	Campaign       string
	StaffChat      int64
	Priority       string
	OutOfHours     bool
	At             time.Time
	// Topic tags the kind of case for staff (TicketTopics; "" for none):
	// the flow the person asked for a person from.
	Topic string
}

// Errors of ticket operations that carry a decision.
var (
	// ErrNoTicket: no such ticket (or none open for the person).
	ErrNoTicket = errors.New("no such ticket")
	// ErrTicketTaken: someone else took it first.
	ErrTicketTaken = errors.New("ticket already taken")
	// ErrTicketClosed: it was closed already.
	ErrTicketClosed = errors.New("ticket closed")
)

// StaffDirectory is who may act as staff, from the módulos table: each
// módulo's staff group and staff users.
type StaffDirectory struct {
	// Modulos by code.
	Modulos map[string]ModuloStaff
	// CampaignModulo maps a campaign to the módulo that runs it, so a
	// person who came through a campaign's link reaches that módulo.
	CampaignModulo map[string]string
}

// ModuloStaff is one módulo as the staff desk sees it.
type ModuloStaff struct {
	Code, Name string
	// Chat is its staff group (0: it uses the default group).
	Chat  int64
	Users []int64
}

// WaitEstimate is what the person is told about the wait.
type WaitEstimate struct {
	// Ahead is how many open tickets are waiting before theirs.
	Ahead int
	// Typical is the median first-response time of recent tickets; zero
	// when there are too few to say.
	Typical time.Duration
}

// Tickets keeps tickets, their relays and notes (the store).
type Tickets interface {
	// Open records a ticket, its first message (first.Ticket is filled in)
	// and the event's request-log row in one transaction. Opening with the
	// same Source again returns the first ticket and writes nothing.
	Open(ctx context.Context, t NewTicket, first *Relay, r Request) (Ticket, error)
	// Current returns the person's open or taken ticket, or ErrNoTicket.
	Current(ctx context.Context, person string) (Ticket, error)
	// Get returns a ticket, or ErrNoTicket.
	Get(ctx context.Context, id int64) (Ticket, error)
	// Relay records a message to deliver; the same Source is recorded once.
	// An "out" relay by staff sets the ticket's first response time.
	Relay(ctx context.Context, r Relay) error
	// Take gives an open ticket to a staff member, atomically: of two
	// taking it at once, one gets ErrTicketTaken. A closed ticket is
	// ErrTicketClosed.
	Take(ctx context.Context, id int64, by string, at time.Time) (Ticket, error)
	// Close closes an active ticket and records notice (to the person or
	// the staff) in the same transaction; closing again is ErrTicketClosed.
	Close(ctx context.Context, id int64, by string, at time.Time, notice *Relay) (Ticket, error)
	// Urgent raises an active ticket's priority to urgent.
	Urgent(ctx context.Context, id int64) error
	// Note adds an internal note (never sent to the person).
	Note(ctx context.Context, id int64, by, text string, at time.Time) error
	// Active returns the open and taken tickets of a staff group (0: all),
	// open before taken, urgent first, oldest first.
	Active(ctx context.Context, staffChat int64) ([]Ticket, error)
	// ByMessage returns the ticket a staff group message belongs to, or
	// ErrNoTicket.
	ByMessage(ctx context.Context, chat, message int64) (int64, error)
	// Staff returns the módulos' staff groups and users.
	Staff(ctx context.Context) (StaffDirectory, error)
	// Wait estimates the wait for a ticket opened now.
	Wait(ctx context.Context, now time.Time) (WaitEstimate, error)
}

// DenunciaDesk is what staff do with denuncias from the staff group.
type DenunciaDesk interface {
	// View returns a denuncia's summary for staff and records in the
	// audit log that actor read it; flows.ErrNoDenuncia when unknown.
	View(ctx context.Context, folio, actor string) (DenunciaView, error)
	// SetStatus changes its status (audit-logged) and returns how to tell
	// the person: their chat (zero when anonymous) and language.
	SetStatus(ctx context.Context, folio, status, actor string) (contact Address, lang string, err error)
	// Waiting returns the denuncias nobody has looked at yet (status
	// received), oldest first: folio, category, municipality, when filed.
	Waiting(ctx context.Context) ([]DenunciaWaiting, error)
	// Owner returns the módulo a denuncia belongs to ("" for none)
	// without opening it or leaving an audit row; ErrNoDenuncia when
	// unknown. The staff desk checks it before View or SetStatus.
	Owner(ctx context.Context, folio string) (modulo string, err error)
	// Refused records in the audit log that actor ("staff:<hash>") was
	// refused action on object (a folio, a ticket code, "" for the group
	// itself) in the group whose keyed hash is chat.
	Refused(ctx context.Context, actor, action, object, chat string) error
}

// DenunciaWaiting is a denuncia in /pendientes: nothing the person wrote.
type DenunciaWaiting struct {
	Folio, Category, Municipality, Modulo string
	Created                               time.Time
}

// DenunciaView is a denuncia as staff read it in the group.
type DenunciaView struct {
	Denuncia
	Folio, Status, Lang, Modulo string
	Created                     time.Time
}
