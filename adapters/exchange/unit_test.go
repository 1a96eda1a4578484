package exchange

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"itbot/adapters/graph"
	"itbot/bot"
)

func graphErr(status int, code, msg string, retry string) error {
	e := odataerrors.NewODataError()
	e.ResponseStatusCode = status
	e.ResponseHeaders = abs.NewResponseHeaders()
	if retry != "" {
		e.ResponseHeaders.Add("Retry-After", retry)
	}
	me := odataerrors.NewMainError()
	me.SetCode(&code)
	me.SetMessage(&msg)
	e.SetErrorEscaped(me)
	return e
}

func TestTranslate(t *testing.T) {
	x := &Exchange{}
	s := subject{User: "a@lgia.gov.lv", Address: "a@lgia.gov.lv", SKU: "E3"}
	for _, c := range []struct {
		name     string
		err      error
		code, id string
	}{
		{"throttled", graphErr(429, "TooManyRequests", "Too many", "7"), bot.EUNAVAILABLE, "exo.throttled"},
		{"unavailable 503", graphErr(503, "serviceNotAvailable", "down", ""), bot.EUNAVAILABLE, "exo.throttled"},
		{"server error", graphErr(500, "UnknownError", "boom", ""), bot.EUNAVAILABLE, "exo.unavailable"},
		{"bad gateway", graphErr(502, "", "", ""), bot.EUNAVAILABLE, "exo.unavailable"},
		{"unauthorised", graphErr(401, "InvalidAuthenticationToken", "Access token is empty.", ""), bot.EUNAVAILABLE, "exo.app_forbidden"},
		{"forbidden", graphErr(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", ""), bot.EUNAVAILABLE, "exo.app_forbidden"},
		{"unknown user", graphErr(404, "Request_ResourceNotFound", "Resource 'x' does not exist", ""), bot.ENOTFOUND, "exo.user_unknown"},
		{"upn taken", graphErr(400, "Request_BadRequest", "Another object with the same value for property userPrincipalName already exists.", ""), bot.ECONFLICT, "exo.address_taken"},
		{"proxy taken", graphErr(400, "Request_BadRequest", "Another object with the same value for property proxyAddresses already exists.", ""), bot.ECONFLICT, "exo.address_taken"},
		{"domain", graphErr(400, "Request_BadRequest", "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.", ""), bot.EINVALID, "exo.domain_not_in_tenant"},
		{"no units", graphErr(400, "Request_BadRequest", "License assignment failed because there are no available licenses.", ""), bot.ENOLICENCE, "exo.no_free_units"},
		{"bad sku", graphErr(400, "Request_BadRequest", "License 1234 does not correspond to a valid company License.", ""), bot.EINVALID, "exo.sku_not_in_tenant"},
		{"usage location", graphErr(400, "Request_BadRequest", "License assignment cannot be done for user with invalid usage location.", ""), bot.EINVALID, "exo.usage_location"},
		{"preparing", graphErr(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.", ""), bot.EPENDING, "exo.mailbox_preparing"},
		{"other 400", graphErr(400, "Request_BadRequest", "Property netId is invalid.", ""), bot.EINVALID, "exo.rejected"},
		{"bare api error", &abs.ApiError{ResponseStatusCode: 503, Message: "x"}, bot.EUNAVAILABLE, "exo.throttled"},
		{"admin not found", &adminError{Status: 404, Exception: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException", Message: "couldn't be found"}, bot.ENOTFOUND, "exo.user_unknown"},
		{"admin proxy", &adminError{Status: 400, Exception: "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException", Message: "The proxy address is already being used"}, bot.ECONFLICT, "exo.address_taken"},
		{"admin accepted domain", &adminError{Status: 400, Exception: "Microsoft.Exchange.Configuration.Tasks.TaskException", Message: "The domain lad.gov.lv isn't an accepted domain for your organization."}, bot.EINVALID, "exo.domain_not_in_tenant"},
		{"admin throttled", &adminError{Status: 429, RetryAfter: 30 * time.Second}, bot.EUNAVAILABLE, "exo.throttled"},
		{"network", &netErr{}, bot.EUNAVAILABLE, "exo.unreachable"},
		{"already a bot error", bot.Errorf(bot.ECONFLICT, "x.y"), bot.ECONFLICT, "x.y"},
		{"foreign", errors.New("surprise"), bot.EINTERNAL, "error.internal"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := x.translate("op", s, c.err)
			if bot.ErrorCode(err) != c.code {
				t.Errorf("code %s, want %s (%v)", bot.ErrorCode(err), c.code, err)
			}
			var be *bot.Error
			if errors.As(err, &be) && be.Phrase.ID != c.id {
				t.Errorf("phrase %s, want %s", be.Phrase.ID, c.id)
			}
			for _, l := range []bot.Lang{bot.LV, bot.EN} {
				if m := bot.UserMessage(err, l); strings.HasPrefix(m, "exo.") {
					t.Errorf("%s message not in the catalogue: %s", l, m)
				}
			}
		})
	}
	if x.translate("op", s, nil) != nil {
		t.Error("nil error translated")
	}
	// The throttling message carries the suggested wait.
	if m := bot.UserMessage(x.translate("op", s, graphErr(429, "", "", "7")), bot.EN); !strings.Contains(m, "7 s") {
		t.Errorf("message %q", m)
	}
}

type netErr struct{}

func (netErr) Error() string   { return "dial tcp: connection refused" }
func (netErr) Timeout() bool   { return false }
func (netErr) Temporary() bool { return false }

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Duration
	}{
		{"", -1}, {"5", 5 * time.Second}, {"0", 0}, {"1.5", 1500 * time.Millisecond}, {"soon", -1}, {"-3", -1},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	} {
		if got := graph.RetryAfter(c.in, now); got != c.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestNewPassword(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		pw, err := NewPassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != 16 || seen[pw] {
			t.Fatalf("password %q (len %d, repeated %v)", pw, len(pw), seen[pw])
		}
		seen[pw] = true
		var lo, up, dg, sy bool
		for _, r := range pw {
			switch {
			case unicode.IsLower(r):
				lo = true
			case unicode.IsUpper(r):
				up = true
			case unicode.IsDigit(r):
				dg = true
			default:
				sy = true
			}
			if strings.ContainsRune("0O1lI", r) {
				t.Fatalf("look-alike character in %q", pw)
			}
		}
		if !(lo && up && dg && sy) {
			t.Fatalf("password %q lacks a character class", pw)
		}
	}
}

func TestLicenceNames(t *testing.T) {
	x := &Exchange{cfg: Config{Licences: LicencePolicy{Aliases: map[string]string{"A3": "M365EDU_A3_FACULTY"}}}}
	for in, want := range map[string]string{
		"E3": "ENTERPRISEPACK", "e3": "ENTERPRISEPACK", "Office 365 E3": "ENTERPRISEPACK", "enterprisepack": "ENTERPRISEPACK",
		"Exchange Online (Plan 1)": "EXCHANGESTANDARD", "exchange online plan 1": "EXCHANGESTANDARD", "EXO1": "EXCHANGESTANDARD",
		"Plan 2": "EXCHANGEENTERPRISE", "kiosk": "EXCHANGEDESKLESS", "M365 E5": "SPE_E5", "a3": "M365EDU_A3_FACULTY", "Platinum": "",
	} {
		if got := x.partFor(in); got != want {
			t.Errorf("partFor(%q) = %q, want %q", in, got, want)
		}
	}
	if friendly("EXCHANGESTANDARD") != "EXO1" || friendly("WHATEVER") != "WHATEVER" {
		t.Error("friendly names")
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]string{
		"anna.berzina@lgia.gov.lv": "Anna Berzina", "skeneris@lgia.gov.lv": "Skeneris", "j_ozols-2@x.lv": "J Ozols 2",
	} {
		if got := displayName(in); got != want {
			t.Errorf("displayName(%q) = %q", in, got)
		}
	}
	if mailNickname("ānis.b@x.lv") != "nis.b" || mailNickname("ā@x.lv") != "user" {
		t.Errorf("mailNickname: %q %q", mailNickname("ānis.b@x.lv"), mailNickname("ā@x.lv"))
	}
}

func TestParseReportCSV(t *testing.T) {
	data := "\ufeffReport Refresh Date,User Principal Name,Display Name,Storage Used (Byte)\n2026-11-22,Anna.Berzina@lgia.gov.lv,Anna,42\n2026-11-22,,nobody,1\n"
	rows, concealed, err := ParseReportCSV([]byte(data))
	if err != nil || concealed || len(rows) != 1 || rows["anna.berzina@lgia.gov.lv"].get("Storage Used (Byte)") != "42" {
		t.Fatalf("rows %v concealed %v err %v", rows, concealed, err)
	}
	_, concealed, _ = ParseReportCSV([]byte("Report Refresh Date,User Principal Name\n2026-11-22,5E1F8A3C9D0B4E2F6A7B8C9D0E1F2A3B\n"))
	if !concealed {
		t.Error("hashed names not detected")
	}
	if rows, _, err := ParseReportCSV(nil); err != nil || len(rows) != 0 {
		t.Errorf("empty: %v %v", rows, err)
	}
	if _, _, err := ParseReportCSV([]byte("a,\"b\n")); err == nil {
		t.Error("broken CSV accepted")
	}
}

func TestParseAdminError(t *testing.T) {
	e := parseAdminError(400, []byte(`{"error":{"code":"BadRequest","message":"|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'x' couldn't be found.","details":[{"message":"Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed"}]}}`))
	if e.Exception != "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException" || !strings.HasPrefix(e.Message, "The operation") || e.Code != "BadRequest" {
		t.Errorf("%+v", e)
	}
	e = parseAdminError(502, []byte("<html>Bad gateway</html>"))
	if e.Code != "Bad Gateway" || e.Message != "<html>Bad gateway</html>" {
		t.Errorf("%+v", e)
	}
	if !isNotFound(parseAdminError(400, []byte(`{"error":{"code":"x","message":"|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|gone"}}`))) {
		t.Error("not found not recognised")
	}
}

func FuzzParseReportCSV(f *testing.F) {
	f.Add([]byte("\ufeffReport Refresh Date,User Principal Name\n2026-11-22,a@b.lv\n"))
	f.Add([]byte("User Principal Name\n5E1F8A3C9D0B4E2F6A7B8C9D0E1F2A3B\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, _, err := ParseReportCSV(data)
		if err == nil {
			for k := range rows {
				if k == "" || k != strings.ToLower(k) {
					t.Fatalf("bad key %q", k)
				}
			}
		}
	})
}

func FuzzParseAdminError(f *testing.F) {
	f.Add(400, []byte(`{"error":{"code":"BadRequest","message":"|A.BException|text"}}`))
	f.Add(429, []byte(`not json`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := parseAdminError(status, body)
		if e == nil || e.Status != status || len(e.Error()) == 0 {
			t.Fatalf("%+v", e)
		}
	})
}

func TestConfig(t *testing.T) {
	d := Config{}.WithDefaults()
	if d.Licences.Personal != "E3" || d.Licences.Technical != "EXO1" || d.UsageLocation != "LV" || d.MaxRetries != 3 || d.ReportPeriod != "D30" {
		t.Errorf("defaults %+v", d)
	}
	if (Config{MaxRetries: 99}).WithDefaults().MaxRetries != 10 {
		t.Error("max_retries not capped")
	}
	for _, c := range []struct {
		cfg  Config
		cred bool
		ok   bool
	}{
		{Config{}, true, false},
		{Config{TenantID: "t"}, true, true},
		{Config{TenantID: "t"}, false, false},
		{Config{TenantID: "t", ClientID: "c"}, false, false},
		{Config{TenantID: "t", ClientID: "c", ClientSecret: "s"}, false, true},
		{Config{TenantID: "t", ClientID: "c", CertificatePath: "/x.pem"}, false, true},
		{Config{TenantID: "t", ReportPeriod: "D1"}, true, false},
		{Config{TenantID: "t", UsageLocation: "LVA"}, true, false},
	} {
		if err := c.cfg.WithDefaults().Validate(c.cred); (err == nil) != c.ok {
			t.Errorf("%+v (cred %v): %v", c.cfg, c.cred, err)
		}
	}
	if _, err := (Config{TenantID: "t", ClientID: "c", CertificatePath: "/does/not/exist.pem"}).Credential(); err == nil {
		t.Error("missing certificate accepted")
	}
	if _, err := (Config{TenantID: "00000000-0000-0000-0000-000000000000", ClientID: "c", ClientSecret: "s"}).Credential(); err != nil {
		t.Errorf("secret credential: %v", err)
	}
	// A certificate with its key, as PEM.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "itbot"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "itbot.pem")
	pemData := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})...)
	if err := os.WriteFile(path, pemData, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := (Config{TenantID: "00000000-0000-0000-0000-000000000000", ClientID: "c", CertificatePath: path}).Credential(); err != nil {
		t.Errorf("certificate credential: %v", err)
	}
	if err := os.WriteFile(path, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := (Config{TenantID: "t", ClientID: "c", CertificatePath: path}).Credential(); err == nil {
		t.Error("a file without a certificate accepted")
	}
}
