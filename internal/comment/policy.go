package comment

// DefaultPolicy is the comment policy a new site ships with, in Markdown.
const DefaultPolicy = `Our comments are a place for readers to add what they know, ask what they
wonder, and disagree without contempt. We keep them worth reading in three
ways.

## Why commenting is for subscribers

Subscribers are readers who have made a commitment to this newspaper and
whom we can reach. That accountability makes for better conversations:
fewer drive-by insults, fewer fake accounts, less spam. Reading comments is
open to everyone. For some stories of wide public interest, editors open
the discussion to every registered reader.

## What we ask of everyone

- Argue with ideas, not with people. No personal attacks, slurs or threats.
- Stay on the subject of the story.
- Say who you are speaking for, and do not pretend to be someone else.
- No advertising, spam or links to malicious sites.
- Respect privacy: do not publish other people's personal details.

## How we moderate

Moderators read reports from readers and review comments that our filters
hold back, such as comments with many links or words on our review list.
Some readers' first comments are reviewed before they appear. We may
remove comments that break these rules, and suspend readers who break them
repeatedly; a suspended reader is told why by email. Discussions close two
weeks after a story is published.

If you think we got something wrong, reply to any of our emails or write to
the newsroom.
`
