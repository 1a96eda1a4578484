package calendar

import (
	"fmt"
	"time"
)

// Date is a civil calendar date (year, month, day) without a time of day or
// a location. Dates are interpreted in Europe/Riga wherever an instant is
// needed. The zero Date is not a valid date.
//
// Date implements encoding.TextMarshaler and encoding.TextUnmarshaler with
// the ISO 8601 form "2006-01-02", so it can be used directly in YAML and JSON
// configuration.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf reports the calendar date of the instant t in Europe/Riga.
func DateOf(t time.Time) Date {
	y, m, d := t.In(riga).Date()
	return Date{y, m, d}
}

// ParseDate parses an ISO 8601 calendar date such as "2026-06-22".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("calendar: invalid date %q (want YYYY-MM-DD)", s)
	}
	y, m, d := t.Date()
	return Date{y, m, d}, nil
}

// String formats d as "2006-01-02".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Time reports midnight at the start of d in Europe/Riga.
func (d Date) Time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, riga)
}

// AddDays reports the date n days after d (before d if n is negative).
func (d Date) AddDays(n int) Date {
	y, m, dd := time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC).Date()
	return Date{y, m, dd}
}

// Weekday reports the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it accepts "2006-01-02".
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// civil converts a time returned by rickar/cal (start of day in its default
// location) to a Date, ignoring the location.
func civil(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}
