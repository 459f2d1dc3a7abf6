// Package pagecache keeps what Dateline renders and reads often, so a story
// that goes viral is served from memory, and writes down the rules that
// make that safe. It knows nothing of HTTP, the database or the domain:
// web, comment and store use it, and it uses none of them.
//
// # What is kept
//
// A Cache keeps whole rendered pages by key, with the tags that name what
// each shows, and their compressed copies. The web server has three:
//   - pages anonymous readers see, by URL (path and the query parameters
//     the page takes): one copy serves every anonymous reader, since the
//     page is the same for all of them;
//   - search results, the same, in a share of the memory of their own, so
//     words tried once never push out the pages everyone reads;
//   - story pages signed-in readers see alike, by the key ReaderKey gives,
//     with a mark where each reader's name goes (see Marks and
//     Page.WriteNamed).
//
// An Expiring keeps values by key: what the web server keeps for the pages
// signed-in readers load (stories by slug, a story's rendered parts, the
// discussions every reader of one kind sees alike), the comment service's
// discussions as read, and the store's snapshots of its small tables.
//
// # For how long
//
// A page is kept for the Cache's time to live (a minute unless the site
// says otherwise), judged on the clock the Cache is given. Once expired it
// is still served for staleFor to every request but one, which renders it
// again; if that render does not come back within refreshWait, another
// request may try. An Expiring's value is kept for its time to live, on
// its clock. Both are bounded: a Cache by the bytes of its pages (least
// recently used first out; one page may take at most an eighth), an
// Expiring by a count or a cost per value (expired values first out, then
// any).
//
// # What drops it
//
// Purge drops every page carrying one of the tags it is given, and no tags
// drop every page. The web server tags a page with what it shows
// (story-N, discussion-N, section-S, and lists for every list of
// stories), purges those tags once a change is committed, and sends the
// purge to the other instances, which apply it to theirs. An Expiring's
// values go by key (Drop), by tag (DropTags) or all at once (DropAll).
//
// # Why it is safe
//
//   - A page is kept only under a key that says everything it varies by.
//     Anonymous pages vary by URL alone. A signed-in reader's page is kept
//     only when ReaderKey gives it a key: when it differs from another
//     reader's of the same kind by the name in the masthead and nothing
//     else. ReaderKey is the one place that rule is written, beside a
//     table of every reader state.
//   - What was read before a purge is not kept after it: a caller takes
//     the cache's generation before it reads or renders, and Put refuses
//     the value if a purge or a drop happened since, for it might show
//     what was purged.
//   - Requests that miss the same page together wait for one render
//     (Once), so a page purged under heavy traffic is rendered once.
//   - Names are escaped as they are written in, so a reader's name can
//     never be markup; the marks are random per process, so no story or
//     reader text can carry one, and no mark is ever left in a page (see
//     Splice and Page.WriteNamed).
//   - The web server keeps an anonymous page only when its handler tagged
//     it, answered 200, set no cookie and did not call it private: what is
//     not tagged could never be purged.
//   - The compressed copies are made once from the page itself, so every
//     representation is the same page (the web server gives each the
//     page's ETag with the coding appended).
package pagecache
