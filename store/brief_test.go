package store

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"itbot/bot"
)

// project is what a brief read gives of a fully decoded request.
func project(r bot.Request) bot.Request {
	return bot.Request{ID: r.ID, Type: r.Type, Requester: r.Requester, Institution: r.Institution, State: r.State,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ClosedAt: r.ClosedAt}
}

func projectEvent(ev bot.Event) bot.Event {
	return bot.Event{Seq: ev.Seq, At: ev.At, Kind: ev.Kind, From: ev.From, To: ev.To}
}

// randText mixes what JSON escapes (quotes, backslashes, control and HTML
// characters), Latvian letters and plain ASCII.
func randText(rng *rand.Rand) string {
	parts := []string{"a", "IT-2026-000001", `"`, `\`, "\n", "\x01", "<", ">", "&", "ā", "ž", "€", "\u2028", "id", "state", `{"id":"x"}`, " ", "\xff"}
	var b strings.Builder
	for range rng.IntN(6) {
		b.WriteString(parts[rng.IntN(len(parts))])
	}
	return b.String()
}

func randTime(rng *rand.Rand) time.Time {
	if rng.IntN(5) == 0 {
		return time.Time{}
	}
	zones := []*time.Location{time.UTC, bot.TimeZone, time.FixedZone("x", -7*3600+1800)}
	return time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).In(zones[rng.IntN(len(zones))])
}

// A brief read gives what encoding/json gives of the fields it reads, for
// random requests and events as json.Marshal writes them (the fast path)
// and for documents it hands to encoding/json (escapes, odd keys).
func TestBriefEqualsFull(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 21))
	in := interner{}
	states := append([]bot.State{""}, bot.AllStates...)
	for i := range 3000 {
		r := bot.Request{ID: bot.FormatID(2026, uint64(rng.IntN(2e6))), Type: bot.Type(randText(rng)), Requester: randText(rng),
			Institution: []string{"LGIA", "VVD", randText(rng)}[rng.IntN(3)], State: states[rng.IntN(len(states))],
			Params: bot.Params{Text: randText(rng), User: randText(rng)}, Origin: bot.Origin{Platform: randText(rng)},
			CreatedAt: randTime(rng), UpdatedAt: randTime(rng), ClosedAt: randTime(rng), Assignee: randText(rng),
			Meta: map[string]string{"id": randText(rng), "state": randText(rng)}}
		if i%2 == 0 {
			r.ID = randText(rng)
		}
		r.SLA.DueAt, r.SLA.Sent = randTime(rng), []string{randText(rng)}
		v, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var full, got bot.Request
		if err := json.Unmarshal(v, &full); err != nil {
			t.Fatal(err)
		}
		if err := briefRequest(v, in, &got); err != nil || !reflect.DeepEqual(got, project(full)) {
			t.Fatalf("%s:\nbrief %+v (%v)\nfull  %+v", v, got, err, project(full))
		}
		ev := bot.Event{Seq: rng.IntN(100) - 3, RequestID: r.ID, At: randTime(rng), Actor: randText(rng), Platform: randText(rng),
			Kind: bot.EventKind(randText(rng)), From: states[rng.IntN(len(states))], To: states[rng.IntN(len(states))], Note: randText(rng),
			Phrase: bot.Phrase{ID: randText(rng)}}
		v, _ = json.Marshal(ev)
		var fullEv, gotEv bot.Event
		if err := json.Unmarshal(v, &fullEv); err != nil {
			t.Fatal(err)
		}
		if err := briefEvent(v, in, &gotEv); err != nil || !reflect.DeepEqual(gotEv, projectEvent(fullEv)) {
			t.Fatalf("%s:\nbrief %+v (%v)\nfull  %+v", v, gotEv, err, projectEvent(fullEv))
		}
	}
	docs := []string{
		` { "id" : "IT-2026-000001" , "state":"done",	"created_at":"2026-11-02T08:00:00Z" } `,
		`{"\u0069d":"escaped key","state":"new"}`,
		`{"ID":"upper case key","Created_At":"2026-11-02T08:00:00+02:00"}`,
		`{"id":"first","id":"second"}`,
		`{"id":null,"state":null,"created_at":null,"closed_at":null}`,
		`{"params":{"id":"nested","state":"x"},"sla":{"sent":["a","b\"}"]},"id":"IT-2026-000002"}`,
		`{"origin":{"platform":"slack","x":[1,2,{"y":"}"}]},"type":"consult","institution":"LGIA"}`,
		`{"id":"Iestāde \"X\" \\ ā"}`,
		`{}`,
		`{"seq":12,"at":"2026-11-02T08:00:00.123456789+02:00","kind":"transition","from":"new","to":"approved"}`,
		`{"seq":0,"to":"awaiting_info"}`,
		`{"seq":-4,"to":"done"}`,
		`{"seq":1e2,"to":"done"}`,
		`{"seq":"7"}`,
		`{"id":42}`,
		`{"created_at":"not a time"}`,
		`{"id":"x",}`,
		`{"id":"x"`,
		`["id"]`,
		`{"id":"x"} trailing`,
		`{"id":"x" "state":"new"}`,
	}
	for _, d := range docs {
		var full, got bot.Request
		fullErr := json.Unmarshal([]byte(d), &full)
		err := briefRequest([]byte(d), in, &got)
		switch {
		case fullErr != nil && err == nil:
			t.Errorf("%s: brief read it, encoding/json says %v", d, fullErr)
		case fullErr == nil && (err != nil || !reflect.DeepEqual(got, project(full))):
			t.Errorf("%s:\nbrief %+v (%v)\nfull  %+v", d, got, err, project(full))
		}
		var fullEv, gotEv bot.Event
		fullErr = json.Unmarshal([]byte(d), &fullEv)
		err = briefEvent([]byte(d), in, &gotEv)
		switch {
		case fullErr != nil && err == nil:
			t.Errorf("%s: brief read the event, encoding/json says %v", d, fullErr)
		case fullErr == nil && (err != nil || !reflect.DeepEqual(gotEv, projectEvent(fullEv))):
			t.Errorf("%s:\nbrief %+v (%v)\nfull  %+v", d, gotEv, err, projectEvent(fullEv))
		}
	}
}
