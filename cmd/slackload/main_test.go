package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestRunInProcess sends a small load to an in-process itbot and checks
// the report: every command acknowledged, created and answered.
func TestRunInProcess(t *testing.T) {
	var out bytes.Buffer
	o := options{rate: 200, n: 60, conns: 16, wait: 30 * time.Second, bare: true, quiet: true, data: t.TempDir()}
	if err := run(context.Background(), o, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"bare net/http                 60      60       0", "itbot /slack/commands         60      60       0",
		"itbot: 60 requests created, 60 answers on response_url, 120 cards"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestLoopbackOnly: slackload refuses to load another machine.
func TestLoopbackOnly(t *testing.T) {
	for _, target := range []string{"http://10.0.0.5:8080", "http://itbot.example.gov.lv", "http://8.8.8.8"} {
		o := options{rate: 1, n: 1, conns: 1, wait: time.Second, target: target, secret: "s"}
		if err := run(context.Background(), o, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "not a loopback address") {
			t.Errorf("%s: %v", target, err)
		}
	}
	for _, ok := range []string{"127.0.0.1:80", "localhost:1", "[::1]:8080"} {
		if err := loopback(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	if err := run(context.Background(), options{rate: 1, n: 1, conns: 1, fakeListen: "192.0.2.1:1"}, &bytes.Buffer{}); err == nil {
		t.Error("a non-loopback -fake-listen was accepted")
	}
}
