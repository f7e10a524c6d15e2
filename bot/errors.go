package bot

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acercate/acercate/flows"
)

// Class says what a failed Telegram call means for the caller.
type Class string

// The classes of failures.
const (
	// ClassBlocked: the person blocked the bot (403); nothing more is sent
	// to that chat until they write again.
	ClassBlocked Class = "blocked"
	// ClassRateLimited: Telegram said 429 more often than the retries allow.
	ClassRateLimited Class = "rate_limited"
	// ClassServer: 5xx or an answer that is not the Bot API's, after retries.
	ClassServer Class = "server"
	// ClassNetwork: the request did not get an answer, after retries.
	ClassNetwork Class = "network"
	// ClassRejected: Telegram refused the request (400) even as plain text;
	// sending it again would not help.
	ClassRejected Class = "rejected"
	// ClassUnsupported: the server does not know the method (404).
	ClassUnsupported Class = "unsupported"
	// ClassCanceled: the context ended before the call could be made.
	ClassCanceled Class = "canceled"
	// ClassPaced: the chat's own sending limit has no room yet; the call
	// was not made (RetryAfter says when it may be). Only the runner's
	// attempts get it: Send waits instead.
	ClassPaced Class = "paced"
)

// Error is a failed Telegram call. It never holds a chat id or text: the
// description is Telegram's own.
type Error struct {
	Class       Class
	Method      string
	Code        int
	Description string
	// RetryAfter is what Telegram asked to wait (429).
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	switch {
	case e.Code != 0:
		return fmt.Sprintf("telegram %s: %s (%d %s)", e.Method, e.Class, e.Code, e.Description)
	case e.Err != nil:
		return fmt.Sprintf("telegram %s: %s: %v", e.Method, e.Class, e.Err)
	}
	return fmt.Sprintf("telegram %s: %s", e.Method, e.Class)
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error of the same class, so errors.Is(err, ErrBlocked)
// works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Method == "" && t.Class == e.Class
}

// Temporary reports whether the same call may succeed later: an update whose
// reply failed so is left unconfirmed and handled again.
func (e *Error) Temporary() bool {
	switch e.Class {
	case ClassRateLimited, ClassServer, ClassNetwork, ClassCanceled, ClassPaced:
		return true
	}
	return false
}

// Sentinels for errors.Is.
var (
	ErrBlocked  = &Error{Class: ClassBlocked}
	ErrRejected = &Error{Class: ClassRejected}
)

// SendErrorKind is the channel-neutral meaning of a failed call: what the
// runner and the desk decide retries from.
func (e *Error) SendErrorKind() flows.SendErrorKind {
	switch e.Class {
	case ClassRateLimited, ClassPaced:
		return flows.SendRetryAfter
	case ClassServer, ClassNetwork, ClassCanceled:
		return flows.SendTemporary
	case ClassBlocked:
		return flows.SendBlocked
	case ClassRejected:
		if strings.Contains(strings.ToLower(e.Description), "message is not modified") {
			return flows.SendNotModified
		}
	}
	return flows.SendPermanent
}

// sendError maps a Telegram failure onto the neutral flows.SendError (which
// wraps it, so errors.As still finds the *Error); nil stays nil, and an
// error already mapped is returned as it is.
func sendError(err error) error {
	if err == nil {
		return nil
	}
	var se *flows.SendError
	if errors.As(err, &se) {
		return err
	}
	var e *Error
	if !errors.As(err, &e) {
		return &flows.SendError{Kind: flows.SendTemporary, Err: err}
	}
	return &flows.SendError{Kind: e.SendErrorKind(), After: e.RetryAfter, Err: err}
}
