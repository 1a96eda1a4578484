package bot

import (
	"errors"
	"fmt"
)

// Error codes. A code is for programs (adapters map them to HTTP statuses,
// tests assert them); the phrase is for people.
const (
	EINVALID     = "invalid"     // the input is malformed; the user can fix it
	ENOTFOUND    = "not_found"   // the thing named does not exist
	EFORBIDDEN   = "forbidden"   // the actor may not do this
	ECONFLICT    = "conflict"    // the state does not allow it (illegal transition, duplicate)
	EUNAVAILABLE = "unavailable" // an outside service failed for now; retrying may help
	ENOLICENCE   = "no_licence"  // no free licence unit: the request waits for procurement
	EPENDING     = "pending"     // the action was accepted and is still being prepared
	EINTERNAL    = "internal"    // a bug or an unexpected failure
)

// Error is itbot's error: a machine code, a message for the user (rendered
// in the user's language) and the wrapped cause, which is logged for
// operators but never shown to users.
type Error struct {
	Code   string
	Phrase Phrase
	Err    error
}

// Error returns the code, the message id and the cause, for logs.
func (e *Error) Error() string {
	s := e.Code + ": " + e.Phrase.ID
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with a code and a catalogue phrase built from id
// and key/value pairs.
func Errorf(code, id string, kv ...any) *Error {
	return &Error{Code: code, Phrase: P(id, kv...)}
}

// Wrap returns an Error with a code, a phrase and a cause.
func Wrap(err error, code, id string, kv ...any) *Error {
	return &Error{Code: code, Phrase: P(id, kv...), Err: err}
}

// ErrorCode returns the code of err, EINTERNAL for a foreign error and ""
// for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// UserMessage renders err for a user in language l. Internal errors are
// shown as a generic message; their detail belongs in the log.
func UserMessage(err error, l Lang) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Phrase.Render(l)
	}
	return Tr(l, "error.internal", nil)
}

// ErrorPhrase returns the user-facing phrase of err (the generic internal
// error phrase for foreign errors).
func ErrorPhrase(err error) Phrase {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Phrase
	}
	return P("error.internal")
}

// internalf wraps an unexpected failure.
func internalf(format string, a ...any) *Error {
	return &Error{Code: EINTERNAL, Phrase: P("error.internal"), Err: fmt.Errorf(format, a...)}
}
