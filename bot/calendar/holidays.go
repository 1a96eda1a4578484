package calendar

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/aa"
	"github.com/rickar/cal/v2/lv"
)

// holidayDef is one public holiday rule: a rickar/cal holiday (whose Name is
// the Latvian name) plus the English name and whether a weekend occurrence
// gives the next working day off.
type holidayDef struct {
	h        *cal.Holiday
	nameEN   string
	observed bool
}

// weekendAlt marks a holiday whose weekend occurrence is observed on the
// next working day (the exact day is computed by the Calendar, which knows
// about transfers and other holidays; rickar/cal only says "Monday").
var weekendAlt = []cal.AltDay{
	{Day: time.Saturday, Offset: 2},
	{Day: time.Sunday, Offset: 1},
}

// oneDay defines a holiday that happens on a single date only.
func oneDay(d Date, nameLV string) *cal.Holiday {
	return &cal.Holiday{
		Name:      nameLV,
		Type:      cal.ObservancePublic,
		StartYear: d.Year,
		EndYear:   d.Year,
		Month:     d.Month,
		Day:       d.Day,
		Func:      cal.CalcDayOfMonth,
	}
}

// Song and Dance Festival closing days fixed by law.
var songFestivalDays = []Date{
	{2018, time.July, 8},
	{2023, time.July, 9},
	{2028, time.July, 9},
}

const (
	songFestivalLV = "Vispārējo latviešu Dziesmu un Deju svētku noslēguma diena"
	songFestivalEN = "Closing day of the Latvian Song and Dance Festival"
)

// builtinHolidays lists the public holidays of Art. 1 of the law "Par
// svētku, atceres un atzīmējamām dienām". The rules come from rickar/cal's
// lv and aa packages where those are right; the Latvian names are the
// official ones and replace rickar/cal's.
func builtinHolidays() []holidayDef {
	pub := func(name string) *cal.Holiday {
		return &cal.Holiday{Name: name, Type: cal.ObservancePublic}
	}
	defs := []holidayDef{
		{h: lv.NewYear.Clone(pub("Jaungada diena")), nameEN: "New Year's Day"},
		{h: lv.GoodFriday.Clone(pub("Lielā piektdiena")), nameEN: "Good Friday"},
		{h: lv.Easter.Clone(pub("Pirmās Lieldienas")), nameEN: "Easter Sunday"},
		{h: lv.EasterMonday.Clone(pub("Otrās Lieldienas")), nameEN: "Easter Monday"},
		{h: lv.LabourDay.Clone(pub("Darba svētki, Latvijas Republikas Satversmes sapulces sasaukšanas diena")),
			nameEN: "Labour Day, Convening Day of the Constitutional Assembly"},
		{h: lv.StateRestorationDay.Clone(pub("Latvijas Republikas Neatkarības deklarācijas pasludināšanas diena")),
			nameEN: "Restoration of Independence Day", observed: true},
		{h: &cal.Holiday{Name: "Mātes diena", Type: cal.ObservancePublic,
			Month: time.May, Weekday: time.Sunday, Offset: 2, Func: cal.CalcWeekdayOffset},
			nameEN: "Mother's Day"},
		{h: aa.Pentecost.Clone(pub("Vasarsvētki")), nameEN: "Pentecost"},
		{h: lv.MidsummerEve.Clone(pub("Līgo diena")), nameEN: "Midsummer Eve"},
		{h: lv.MidsummeDay.Clone(pub("Jāņu diena")), nameEN: "Midsummer Day"},
	}
	for _, d := range songFestivalDays {
		h := oneDay(d, songFestivalLV)
		h.Observed = weekendAlt
		defs = append(defs, holidayDef{h: h, nameEN: songFestivalEN, observed: true})
	}
	defs = append(defs,
		holidayDef{h: lv.StateProclamationDay.Clone(pub("Latvijas Republikas Proklamēšanas diena")),
			nameEN: "Proclamation Day of the Republic of Latvia", observed: true},
		holidayDef{h: lv.ChristmasEve.Clone(pub("Ziemassvētku vakars")), nameEN: "Christmas Eve"},
		holidayDef{h: lv.ChristmasDay.Clone(pub("Pirmie Ziemassvētki")), nameEN: "Christmas Day"},
		holidayDef{h: lv.ChristmasDay2.Clone(pub("Otrie Ziemassvētki")), nameEN: "Second Day of Christmas"},
		holidayDef{h: lv.NewYearEve.Clone(pub("Vecgada diena")), nameEN: "New Year's Eve"},
		holidayDef{h: oneDay(Date{2018, time.September, 24}, "Romas pāvesta Franciska vizītes Latvijā diena"),
			nameEN: "Day of the visit of Pope Francis to Latvia"},
		holidayDef{h: oneDay(Date{2023, time.May, 29}, "Latvijas hokeja izlases bronzas medaļas izcīnīšanas diena"),
			nameEN: "Day of the Latvian ice hockey team's bronze medal"},
	)
	return defs
}

// builtinTransfers are the Cabinet orders moving working days for state
// budget institutions, 2024-2026. Names are generated (see transferNames).
var builtinTransfers = []Transfer{
	{DayOff: Date{2024, time.December, 23}, Workday: Date{2024, time.December, 14}},
	{DayOff: Date{2024, time.December, 30}, Workday: Date{2024, time.December, 28}},
	{DayOff: Date{2025, time.May, 2}, Workday: Date{2025, time.May, 10}},
	{DayOff: Date{2025, time.November, 17}, Workday: Date{2025, time.November, 8}},
	{DayOff: Date{2026, time.January, 2}, Workday: Date{2026, time.January, 17}},
	{DayOff: Date{2026, time.June, 22}, Workday: Date{2026, time.June, 27}},
}
