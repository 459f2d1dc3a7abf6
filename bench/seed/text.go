package main

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
)

// sectionSpec is one of the seeded paper's sections, with the words its
// stories are made of, so that a search for a topic finds the stories of
// the section it belongs to.
type sectionSpec struct {
	Slug, Name, Description string
	Topics                  []string // nouns a headline is about
	Actors                  []string // who does things in this section
}

var sectionSpecs = []sectionSpec{
	{"national", "National", "Towns, cities and the public services closest to home.",
		[]string{"housing", "rail", "buses", "libraries", "schools", "hospitals", "water", "roads", "bridges", "parks", "policing", "pensions", "councils", "ferries", "recycling", "childcare"},
		[]string{"the council", "residents", "commuters", "teachers", "nurses", "the mayor", "tenants", "volunteers", "the regional authority", "planners"}},
	{"world", "World", "Reporting from capitals, coasts and communities around the globe.",
		[]string{"border", "ceasefire", "harbour", "drought", "election", "refugees", "treaty", "embassy", "monsoon", "trade route", "summit", "famine", "pipeline", "archipelago"},
		[]string{"diplomats", "the foreign ministry", "aid workers", "fishermen", "observers", "the coalition", "negotiators", "farmers", "the envoy", "mediators"}},
	{"politics", "Politics", "Parliament, parties, policy and the people who make it.",
		[]string{"budget", "coalition", "referendum", "inquiry", "ballot", "manifesto", "tax reform", "by-election", "committee", "lobbying", "constitution", "minimum wage"},
		[]string{"the prime minister", "the opposition", "backbenchers", "the finance minister", "the speaker", "party members", "ministers", "the committee chair", "campaigners", "voters"}},
	{"business", "Business", "Firms large and small, working life and the everyday economy.",
		[]string{"inflation", "mortgages", "startups", "shipping", "retail", "wages", "bakeries", "exports", "factories", "interest rates", "supermarkets", "cooperatives", "tourism", "insurance"},
		[]string{"the central bank", "shareholders", "small traders", "the regulator", "unions", "economists", "founders", "exporters", "shop owners", "investors"}},
	{"technology", "Technology", "Software, hardware and what they change about how we live.",
		[]string{"broadband", "batteries", "satellites", "chips", "privacy", "encryption", "robots", "open source", "drones", "data centres", "electric scooters", "passwords", "search engines"},
		[]string{"engineers", "developers", "the watchdog", "researchers", "startups", "hackers", "the telecoms regulator", "programmers", "hardware makers", "volunteer maintainers"}},
	{"science", "Science", "Research, discovery and the people who patiently do it.",
		[]string{"glaciers", "telescopes", "fossils", "bees", "vaccines", "coral", "comets", "genomes", "volcanoes", "whales", "particles", "fungi", "orchids", "meteorites"},
		[]string{"astronomers", "biologists", "geologists", "the observatory", "a research team", "physicists", "the museum's curators", "ecologists", "chemists", "field researchers"}},
	{"health", "Health", "Medicine, care and keeping well.",
		[]string{"waiting lists", "clinics", "dentists", "sleep", "allergies", "midwives", "measles", "prescriptions", "mental health", "ambulances", "nutrition", "hearing loss", "blood donors"},
		[]string{"doctors", "patients", "the health service", "pharmacists", "paramedics", "care workers", "researchers", "the ministry of health", "GPs", "carers"}},
	{"climate", "Climate", "Weather, energy and a warming world.",
		[]string{"heatwave", "wind farms", "flooding", "solar panels", "wildfires", "heat pumps", "sea walls", "peatland", "carbon tax", "storms", "rivers", "forests", "snowfall", "emissions"},
		[]string{"forecasters", "the energy agency", "farmers", "climate scientists", "coastal towns", "firefighters", "grid operators", "foresters", "insurers", "campaigners"}},
	{"sport", "Sport", "Results, races and the players behind them.",
		[]string{"marathon", "cup final", "transfer", "league title", "velodrome", "regatta", "derby", "relay", "tennis open", "chess olympiad", "rowing", "cricket", "swimming", "climbing"},
		[]string{"the coach", "the captain", "supporters", "the federation", "the club", "young players", "the referee", "the selectors", "veterans", "the champions"}},
	{"culture", "Culture", "Museums, film, books, music and the arts in all their forms.",
		[]string{"museum", "opera", "festival", "novel", "film", "gallery", "orchestra", "poetry", "theatre", "video games", "sculpture", "jazz", "choir", "archive"},
		[]string{"curators", "the director", "critics", "the festival's organisers", "audiences", "the author", "musicians", "the orchestra", "publishers", "actors"}},
	{"opinion", "Opinion", "Argument, analysis and letters from readers.",
		[]string{"public trust", "free speech", "local news", "the four-day week", "town planning", "cycling", "the high street", "civic duty", "manners", "tipping", "homework", "nuclear power"},
		[]string{"readers", "our columnist", "the editorial board", "critics", "defenders", "the government", "younger voters", "parents", "everyone", "a reader"}},
	{"travel", "Travel", "Journeys near and far, on foot, by rail and by sea.",
		[]string{"night trains", "islands", "hiking trails", "hostels", "lighthouses", "canals", "mountain huts", "street food", "ferries", "old towns", "vineyards", "beaches", "cable cars"},
		[]string{"travellers", "guides", "innkeepers", "walkers", "the tourist office", "locals", "cyclists", "rail operators", "the harbour master", "families"}},
}

var places = []string{
	"Lisbon", "Oslo", "Nairobi", "Valparaíso", "Tallinn", "Hobart", "Porto", "Dakar", "Kraków", "Halifax",
	"Montevideo", "Tromsø", "Accra", "Ghent", "Cork", "Bergen", "Kyoto", "Tbilisi", "Zanzibar", "Ljubljana",
	"Quito", "Reykjavík", "Marseille", "Hamburg", "Seville", "Dundee", "Windhoek", "Gdańsk", "Turku", "Bologna",
	"Cusco", "Galway", "Plovdiv", "Vilnius", "Da Nang", "Aarhus", "Trieste", "Arequipa", "Kumasi", "Perth",
	"Salzburg", "Brno", "Cardiff", "Fremantle", "Nantes", "Rotterdam", "Split", "Uppsala", "Zagreb", "Antwerp",
}

var verbs = []string{
	"approve", "reject", "delay", "rethink", "defend", "question", "celebrate", "restore", "close", "reopen",
	"expand", "cut", "rebuild", "protest", "welcome", "debate", "test", "rescue", "map", "measure",
	"fund", "survey", "challenge", "back", "abandon", "revive", "redesign", "share", "count", "track",
}

var adjectives = []string{
	"quiet", "unexpected", "costly", "overdue", "modest", "record", "fragile", "ambitious", "disputed", "historic",
	"local", "temporary", "surprising", "cautious", "bold", "seasonal", "rare", "crowded", "forgotten", "welcome",
	"slow", "sudden", "careful", "narrow", "long-awaited", "controversial", "hopeful", "stubborn", "remote", "popular",
}

var headlinePatterns = []string{
	"%[1]s %[2]s plan for %[3]s in %[4]s",
	"In %[4]s, %[1]s %[2]s a %[5]s push on %[3]s",
	"Why %[1]s in %[4]s want to %[2]s the %[3]s scheme",
	"A %[5]s year for %[3]s as %[1]s %[2]s new rules",
	"%[4]s %[3]s: %[1]s %[2]s what comes next",
	"The %[5]s fight over %[3]s reaches %[4]s",
	"%[1]s %[2]s %[5]s changes to %[3]s",
	"What the %[5]s row over %[3]s means for %[4]s",
	"%[3]s in %[4]s: a %[5]s turn as %[1]s %[2]s the plan",
	"After a %[5]s winter, %[1]s %[2]s %[3]s in %[4]s",
}

var sentencePatterns = []string{
	"%[1]s said on %[6]s that the %[5]s plan for %[3]s would %[2]s how the city works for years to come.",
	"The figures, published by %[1]s, show that demand for %[3]s in %[4]s has risen for a %[7]s year in a row.",
	"Not everyone agrees: %[8]s in %[4]s argue that the money would do more good elsewhere, and say so loudly.",
	"\"We have waited a long time for this,\" one of %[8]s told Dateline, standing outside a %[5]s hall in %[4]s.",
	"Officials expect the first results by %[9]s, though similar schemes elsewhere have taken longer than promised.",
	"The proposal would %[2]s the rules on %[3]s that were last changed more than a decade ago.",
	"Critics point to %[4]s, where a %[5]s attempt to %[2]s %[3]s ended in a public inquiry.",
	"Supporters say the change is %[5]s but necessary, and that %[3]s cannot wait for another review.",
	"A spokesperson for %[1]s declined to give a date, saying only that talks with %[8]s would continue.",
	"By %[6]s evening, more than %[10]d people had signed a letter asking %[1]s to %[2]s the decision.",
	"The %[5]s debate has split %[8]s, many of whom remember the last time %[3]s was on the agenda.",
	"Independent analysts estimate the cost at %[10]d million, a figure %[1]s did not dispute.",
	"In the meantime, %[8]s in %[4]s are making their own arrangements, as they often have before.",
	"Those who study %[3]s say the evidence is %[5]s and that the next %[7]s months will tell.",
}

var weekdays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
var months = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
var ordinals = []string{"second", "third", "fourth", "fifth", "sixth", "seventh"}

var firstNames = []string{
	"Amara", "Rangi", "Mei", "Mateo", "Farid", "Ingrid", "Tomás", "Aoife", "Kwame", "Leila", "Sven", "Priya",
	"Jonas", "Noor", "Emeka", "Lucía", "Hamish", "Yuki", "Oskar", "Zainab", "Ruth", "Dmitri", "Ana", "Kofi",
	"Elif", "Magnus", "Sadia", "Pietro", "Ines", "Malik", "Greta", "Tariq", "Hana", "Bruno", "Camille", "Idris",
}

var lastNames = []string{
	"Okafor", "Whitaker", "Ashworth", "Saldaña", "Haddad", "Solberg", "Brennan", "Mensah", "Karimi", "Lindqvist",
	"Rao", "Fischer", "Osei", "Moreau", "Nakamura", "Kowalski", "Dubois", "Castillo", "Nyberg", "Adeyemi",
	"Petrov", "Silva", "Quinn", "Halloran", "Yilmaz", "Bauer", "Tanaka", "Costa", "Achebe", "Novak",
}

var commentOpeners = []string{
	"I live in %[1]s and", "As someone who works with %[2]s,", "Good reporting, but", "Thank you for this.",
	"I have to disagree:", "My family has seen this first hand;", "Interesting piece.", "Having read the whole thing,",
}

var commentBodies = []string{
	"the %[2]s question is older than most people remember.",
	"nobody asked the people who actually depend on %[2]s.",
	"the numbers in the fourth paragraph deserve a closer look.",
	"this is the first time I have seen %[2]s explained clearly.",
	"the last plan for %[2]s in %[1]s failed for exactly these reasons.",
	"I would like to read a follow-up in six months.",
	"the comparison with %[1]s is fair, but only up to a point.",
	"we need fewer promises and more timetables.",
}

// pick returns a random element of list.
func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// fill is one story's vocabulary: the words its headline, dek and
// paragraphs share, so that its text hangs together and search finds it.
type fill struct {
	actor, verb, topic, place, adj, day, month, ordinal, others string
	number                                                      int
}

func newFill(r *rand.Rand, sec *sectionSpec) fill {
	return fill{
		actor: pick(r, sec.Actors), verb: pick(r, verbs), topic: pick(r, sec.Topics), place: pick(r, places),
		adj: pick(r, adjectives), day: pick(r, weekdays), month: pick(r, months), ordinal: pick(r, ordinals),
		others: pick(r, sec.Actors), number: 20 + r.IntN(4000),
	}
}

func (f fill) format(pattern string) string {
	s := fmt.Sprintf(pattern, f.actor, f.verb, f.topic, f.place, f.adj, f.day, f.ordinal, f.others, f.month, f.number)
	return article.ReplaceAllString(s, "${1}n $2")
}

// article finds "a" before a vowel, to be made "an".
var article = regexp.MustCompile(`\b([Aa]) ([aeiou])`)

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// storyText writes a story's headline, dek and Markdown body: four to
// nine paragraphs, sometimes with a subheading, a quotation or a list.
func storyText(r *rand.Rand, sec *sectionSpec) (headline, dek, dateline, body string) {
	f := newFill(r, sec)
	headline = capitalize(f.format(pick(r, headlinePatterns)))
	dek = capitalize(f.format(pick(r, sentencePatterns)))
	dateline = strings.ToUpper(f.place)
	var b strings.Builder
	paragraphs := 4 + r.IntN(6)
	for p := range paragraphs {
		if p > 0 {
			b.WriteString("\n\n")
		}
		switch {
		case p == 2 && r.IntN(3) == 0:
			fmt.Fprintf(&b, "## What %s %s\n\n", f.others, pick(r, []string{"say", "fear", "hope for", "want"}))
		case p == 3 && r.IntN(4) == 0:
			b.WriteString("> " + capitalize(f.format(pick(r, sentencePatterns))) + "\n\n")
		case p == 4 && r.IntN(5) == 0:
			for range 3 {
				b.WriteString("- " + capitalize(f.format(pick(r, sentencePatterns))) + "\n")
			}
			b.WriteString("\n")
		}
		sentences := 2 + r.IntN(3)
		for s := range sentences {
			if s > 0 {
				b.WriteByte(' ')
			}
			// A second vocabulary now and then, as real stories wander.
			g := f
			if r.IntN(4) == 0 {
				g = newFill(r, sec)
				g.place = f.place
			}
			b.WriteString(capitalize(g.format(pick(r, sentencePatterns))))
		}
	}
	return headline, dek, dateline, b.String()
}

// commentText writes a reader's comment about a story in sec.
func commentText(r *rand.Rand, sec *sectionSpec) string {
	place, topic := pick(r, places), pick(r, sec.Topics)
	text := expand(pick(r, commentOpeners), place, topic) + " " + expand(pick(r, commentBodies), place, topic)
	if r.IntN(3) == 0 {
		text += "\n\n" + capitalize(expand(pick(r, commentBodies), pick(r, places), pick(r, sec.Topics)))
	}
	return text
}

// expand formats pattern with args; a pattern without verbs is returned
// as it is rather than with fmt's note about unused arguments.
func expand(pattern string, args ...any) string {
	if !strings.Contains(pattern, "%") {
		return pattern
	}
	return fmt.Sprintf(pattern, args...)
}

// personName returns a made-up full name.
func personName(r *rand.Rand) string {
	return pick(r, firstNames) + " " + pick(r, lastNames)
}

// searchWords are words a reader would search for: every section's
// topics and the places, single words only.
func searchWords() []string {
	var words []string
	for _, sec := range sectionSpecs {
		words = append(words, sec.Topics...)
	}
	words = slices.DeleteFunc(append(words, places...), func(w string) bool { return !singleWord(w) })
	return distinctLower(words)
}

// searchPairs are two words a reader would search for together: a
// section's topic and a place, single words both. A story is about one
// topic in one place, so each pair is found in some of the stories of
// that section.
func searchPairs() []string {
	var pairs []string
	for _, sec := range sectionSpecs {
		for _, t := range sec.Topics {
			for _, p := range places {
				if singleWord(t) && singleWord(p) {
					pairs = append(pairs, t+" "+p)
				}
			}
		}
	}
	return distinctLower(pairs)
}

// distinctLower lowers the case of each of list and keeps the first of
// equals.
func distinctLower(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range list {
		w = strings.ToLower(w)
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// singleWord reports whether w is one word, without spaces or hyphens.
func singleWord(w string) bool { return !strings.ContainsAny(w, " -") }
