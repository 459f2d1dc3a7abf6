// Package e2e holds Dateline's end-to-end browser tests. Each test starts
// the real site (a seeded SQLite store behind internal/web) on a loopback
// port, drives a headless Chromium through the DevTools protocol with
// chromedp, and checks what a reader sees and can do: following the lead
// story, copying its link (with and without a working clipboard, and with
// JavaScript off), how the pages look at phone and desktop widths, and what
// axe-core finds about their accessibility.
//
// The account tests serve the site with accounts, wired as `dateline serve`
// wires them with an SMTP server: email goes from the store's outbox
// through the SMTP transport to a real SMTP server inside the test process
// (internal/mail/mailtest), where the tests read it. A reader signs up, logs
// out, resets a forgotten password with the code from the email, and logs
// in again; the link in the reset email fills in the reset form; and the
// sign-up, log-in, reset and account pages pass axe-core, with every form
// field named in Chromium's accessibility tree and no id used twice.
//
// The paywall tests serve the same site with subscriptions, wired as
// `dateline serve -demo` wires them without a Stripe key: the demo payment
// provider, which takes no money, the default paywall rules and the two demo
// plans. A reader meets the paywall on a subscribers-only story (and the
// rest of the story never reaches the browser), creates a free account and
// confirms it with the link from the email, which brings them back to the
// story, reads three stories on the monthly meter and meets the paywall on
// the fourth, subscribes with a plan's button on the paywall through the
// demo checkout, lands back on that story and reads it in full, and makes a
// gift link to it with one press, which shows the link and copies it; the
// link opens the whole story in a browser context without cookies, kept out
// of search engines and sent with Referrer-Policy: no-referrer. Another
// reader, without an account, presses a plan's button on the paywall, signs
// up, lands in that plan's checkout from the emailed link, subscribes and is
// back on the story (screenshots at 390 and 1280 px, light and dark, in
// DATELINE_SCREENSHOTS). The paywall, subscribe, checkout, cancel, gift and
// account pages pass axe-core.
//
// The comment tests serve the paywall site with the discussions under
// stories and their moderation, wired as `dateline serve` wires them: the
// comment service asks the subscriptions who has digital access and sends
// its email through the same outbox. Anonymous readers, and readers without
// a subscription, find where the comment form would be that commenting is
// for subscribers, and follow "Here's why" to the comment policy. A
// subscriber posts a comment, with the live character counter following
// their typing, and lands on it; a second subscriber, in a browser context
// of their own, follows its Reply link, which brings the story back with
// the reply form open under that comment only, posts the reply empty and
// gets the form back with the error beside it, replies, and recommends the
// comment; the author edits it within the edit window and is told of the
// reply by email; the second subscriber follows its Report link to the
// report page, sends it once without a reason and is told to choose one,
// and reports it; and a moderator deletes it from the Reported queue with a
// reason, which leaves a placeholder with the reply under it. A story with
// every kind of comment (as an anonymous reader, a subscriber with a reply
// form and the edit form open, and an admin), the report page (also after
// sending it without a reason), the comment policy and the moderation
// queues, settings and log pass axe-core.
//
// The newsroom tests serve the comment site with the story editor and its
// scheduler, wired as `dateline serve` wires them (the scheduler looks
// every tenth of a second here, not every 20 seconds). A writer drafts a
// story in the editor, choosing its section from the keyboard, previews the
// Markdown and submits it for review, and their list marks it "For
// review"; an editor, in a browser context of their own, opens it from the
// list, changes the headline and schedules it, and until then readers
// neither see it on the front page, nor at its address, nor in search;
// the editor publishes it now, and a reader searches for a word of its
// first paragraph, finds it with the word in a <mark>, and reads it with
// the dateline opening the first paragraph. A story scheduled a few
// seconds ahead appears on the front page, and in search, when its time
// comes, and not before. The story lists, the new-story form (also after a
// failed save, with the error beside the headline), the editor with a
// preview, the revisions and search with and without results pass
// axe-core.
//
// The editor tests drive the two-pane editor. A writer lands in the
// newsroom after logging in, starts a story that saves itself as a draft
// once it has a headline (and moves to the draft's address), writes on
// while the server-rendered preview follows and the words are counted,
// uploads a picture from the editor, which goes into the body with its alt
// text and caption and shows in the preview, and submits it; an editor
// publishes it, follows "Edit this story" from its page, and saves a
// change with Ctrl+S; anonymous readers see no staff links, from the page
// cache either. Two browsers, a writer's and an editor's, edit one draft:
// the second autosave is refused, that browser shows both texts and keeps
// its own until "Keep my version", and every saved text stays among the
// revisions. The editor passes axe-core at 390 and 1280 px, light and
// dark, and with the conflict shown; its screenshots are kept.
//
// The checks test every kind of page with outside checkers.
// TestHTMLIsValid fetches each kind of page as the visitor who sees it: an
// anonymous reader (the front page, free and paywalled stories, section,
// author, tag and day pages, search with and without results, subscribing,
// logging in, signing up, password reset, the comment policy, a 404, and
// forms sent back with their errors), a subscriber (the account page, a
// story with comments, the cancel confirmation, a comment's report page),
// a reader without a subscription (a story for subscribers on the meter,
// the demo checkout) and an admin (the dashboard and every newsroom,
// subscription and moderation page), and the development mailbox of a --demo site without SMTP. It
// writes them to a folder, runs the Nu HTML Checker (vnu.jar, with Java)
// once over all of them, and fails listing each error with its page, line
// and message; warnings go to the log. The pages come from the site's
// route table (web.Server.Patterns): every GET route is a listed page
// kind, or excluded in notPages with the reason (feeds, sitemaps, JSON,
// images, redirects), or else checked as an admin sees it with its
// wildcards filled in. TestLighthouse runs Lighthouse (with Node, in the
// same Chromium, its default mobile settings) on the front page and a
// story page, one with a picture when the demo has one, and fails unless
// accessibility, best practices and SEO each score 100, listing the
// failing audits; performance is measured in bench/, not here. Its JSON
// reports go with the screenshots.
//
// The tests need Chromium (Debian's /usr/bin/chromium, `apt-get install
// chromium`; DATELINE_CHROMIUM names another binary) and, for the
// accessibility tests, axe-core (`npm install --prefix .cache/npm axe-core@4`
// at the repository root; DATELINE_AXE names another axe.min.js). The checks
// also need Java and vnu.jar (`npm install --prefix .cache/npm vnu-jar@26`;
// DATELINE_VNU names another), and Node and Lighthouse (`npm install
// --prefix .cache/npm lighthouse@12`, the last major for Node 20;
// DATELINE_LIGHTHOUSE names another cli/index.js). When one is missing they
// skip, unless DATELINE_E2E=1, which CI sets: then a missing
// prerequisite fails the run. They also skip under `go test -short` unless
// DATELINE_E2E=1.
//
// DATELINE_SCREENSHOTS names a folder to keep the screenshots in; by default
// they go to the test's temporary folder and are removed with it.
//
// Run them with:
//
//	DATELINE_E2E=1 go test -race -count=1 ./e2e/ -v
package e2e
