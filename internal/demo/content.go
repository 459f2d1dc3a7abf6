package demo

// sectionSeed is a section of the demo site.
type sectionSeed struct {
	Slug, Name, Description string
}

// authorSeed is a staff writer of the demo site.
type authorSeed struct {
	Slug, Name, Bio string
}

// storySeed is one demo story. Times are relative to the moment of seeding.
type storySeed struct {
	Headline        string
	Dek             string   // standfirst, one sentence
	Dateline        string   // place, in capitals, e.g. "LISBON"
	Section         string   // a sectionSeed.Slug
	Authors         []string // authorSeed.Slug values, in byline order
	Byline          string   // optional free-text byline instead of/in addition to Authors, e.g. "Staff and agency reports"
	Tags            []string // tag names, e.g. "Transport", "Climate"
	Subscribers     bool     // true: for subscribers only
	HoursAgo        int      // published this many hours before seeding (spread over 1..120)
	UpdatedHoursAgo int      // 0 when never updated; otherwise less than HoursAgo
	Body            string   // Markdown: paragraphs, maybe a "## subhead", a blockquote, a list, a link to https://example.org
	Corrections     []string // correction notes, usually none
}

func sections() []sectionSeed {
	return []sectionSeed{
		{Slug: "world", Name: "World", Description: "Reporting from cities, coasts and communities around the globe."},
		{Slug: "national", Name: "National", Description: "Stories from the towns, cities and public services closest to home."},
		{Slug: "business", Name: "Business", Description: "Small firms, working life and the everyday economy."},
		{Slug: "science", Name: "Science", Description: "Research, nature and the people who patiently study both."},
		{Slug: "culture", Name: "Culture", Description: "Museums, film, books, games and the arts in all their forms."},
	}
}

func authors() []authorSeed {
	return []authorSeed{
		{Slug: "amara-okafor", Name: "Amara Okafor", Bio: "Amara Okafor covers international news for Dateline and has reported from four continents."},
		{Slug: "rangi-whitaker", Name: "Rangi Whitaker", Bio: "Rangi Whitaker writes about transport, cities and the ways people get from one place to another."},
		{Slug: "mei-lin-ashworth", Name: "Mei-Lin Ashworth", Bio: "Mei-Lin Ashworth is Dateline's national correspondent, covering communities and public services."},
		{Slug: "mateo-saldana", Name: "Mateo Saldaña", Bio: "Mateo Saldaña reports on small business, work and the economy of ordinary households."},
		{Slug: "farid-haddad", Name: "Farid Haddad", Bio: "Farid Haddad is Dateline's culture editor and writes about museums, film, books and games."},
		{Slug: "ingrid-solberg", Name: "Ingrid Solberg", Bio: "Ingrid Solberg is a science writer who trained as a marine biologist before turning to journalism."},
	}
}

func stories() []storySeed {
	return []storySeed{
		{
			Headline: "Night ferry returns to the river after two-year pause",
			Dek:      "A refitted boat will run the late crossing to the south bank until 1 a.m., restoring a link that shift workers say they have sorely missed.",
			Dateline: "LISBON",
			Section:  "world",
			Authors:  []string{"amara-okafor"},
			Tags:     []string{"Transport", "Cities"},
			HoursAgo: 3,
			Body: `Commuters on Lisbon's south bank will once again be able to cross the river late at night, as a refitted ferry returns to the evening route on Monday after an absence of almost two years.

The 40-year-old vessel, renamed Gaivota Nova during a hull and engine overhaul, will make hourly crossings from 9 p.m. until 1 a.m., carrying up to 320 passengers and a small deck of bicycles. The late service was suspended when inspectors found corrosion in the boat's stern and no spare vessel was available to cover the timetable.

For hospital cleaners, restaurant staff and bar workers, the gap meant long detours by night bus or expensive taxi fares.

"I was leaving the kitchen at half past eleven and getting home after one," said Rosa Meireles, a line cook who lives across the river. "Now it is twenty minutes on the water. That is my evening back."

## A slower, quieter boat

The refit replaced the old diesel engines with a hybrid system that runs on batteries in the harbour approaches, which the operator says will cut noise for riverside residents. The boat is slightly slower at full power, adding about three minutes to each crossing.

Port engineer Duarte Calado, who oversaw the work, said the hull had been "opened up like a tin can" and rebuilt plate by plate. "She should be good for another twenty years if we look after her," he said.

Fares are unchanged, and monthly transit passes remain valid on the late sailings. The first departure on Monday will be free, and a small brass band has been booked to play on the quay.

Not everyone is convinced the timetable goes far enough. A residents' group on the south bank has asked for a final crossing at 2 a.m. on Fridays and Saturdays, pointing to the number of young people who work in the city's restaurants and clubs.

> "One boat is a good start, but the city does not go to sleep at one o'clock," the group wrote in a letter to transport officials.

Officials said they would review passenger numbers after six months before considering any extension. Timetables for the late crossing are published at [example.org](https://example.org).`,
			Corrections: []string{"An earlier version of this story said the late ferry would run until 2 a.m. Its last crossing leaves at 1 a.m."},
		},
		{
			Headline: "Numbered signs bring order to the city's hillside stairways",
			Dek:      "Volunteers have painted route numbers on more than 200 public stairways to help delivery riders, ambulance crews and lost visitors.",
			Dateline: "VALPARAÍSO",
			Section:  "world",
			Authors:  []string{"rangi-whitaker"},
			Tags:     []string{"Cities", "Transport"},
			HoursAgo: 50,
			Body: `Anyone who has tried to find an address in the hills above Valparaíso knows the problem: the street on the map turns into a staircase, the staircase splits in three, and the house you want is somewhere near the top of the wrong one.

A neighbourhood association has spent the past year trying to fix that, one stairway at a time. Volunteers have now painted a number, a name and a small arrow at the foot and summit of 214 public stairways across four hills, matching them to a free printed map and an online version.

"The delivery riders were the first to thank us," said Carmen Olivares, a retired geography teacher who coordinated the project from her kitchen table. "Then the ambulance drivers. Then, to be honest, the postmen, who pretended they had never been lost."

The signs follow a simple system:

- Each hill has its own colour, painted as a band along the top of the sign.
- Stairways are numbered from the bay upwards, so higher numbers mean a longer climb.
- A small dot marks stairs with a handrail, and a triangle marks those too steep for prams.

The paint was donated by hardware shops in the lower town, and schoolchildren helped design the lettering, which is large enough to read by torchlight.

Emergency crews say the difference is already noticeable. Paramedic Julián Bravo said his team used to rely on callers describing landmarks: a blue door, a barking dog, a bakery that had closed years ago. "Now someone says 'stairway 3-41' and we know exactly where to go," he said.

Some residents have raised concerns that the numbers could draw more sightseers onto narrow residential stairs, and a handful of signs were painted over within a week of going up. Ms Olivares said the group had met those neighbours and agreed to remove the markings from a few private passages that had been numbered by mistake.

"We are not trying to turn anyone's front step into a tourist attraction," she said. "We just want people to arrive."

The association now hopes to extend the scheme to two more hills before winter. The map can be downloaded at [example.org](https://example.org).`,
		},
		{
			Headline:        "Cooling rooms open across Osaka as heatwave prompts water advisory",
			Dek:             "Residents are asked to drink regularly, check on elderly neighbours and move heavy water use away from the afternoon peak.",
			Dateline:        "OSAKA",
			Section:         "world",
			Byline:          "Staff and agency reports",
			Tags:            []string{"Climate", "Health"},
			HoursAgo:        9,
			UpdatedHoursAgo: 2,
			Body: `Public libraries, community centres and several shopping arcades in Osaka will stay open as cooling rooms into the evening this week, with temperatures forecast to remain above 35C for at least four more days.

City water officials also issued an advisory asking households to spread their water use through the day, after demand on Tuesday afternoon reached its highest level in more than a decade. Supplies are not at risk, officials said, but pressure had dropped briefly on the upper floors of some older apartment buildings.

"We are not asking anyone to drink less. Please drink more," said Kenji Morimoto, a spokesperson for the water service. "What helps is moving the washing machine and the garden hose to the morning or the night."

## Where to cool off

The cooling rooms are marked with a blue paper fan sign at the entrance. Visitors do not need to register and may bring their own food and drink. Most sites offer chairs, drinking water and phone charging, and some have staff trained in first aid.

Health workers are asking residents to pay particular attention to people who live alone. Neighbourhood associations in several wards have begun door-knocking rounds in the late afternoon, when indoor temperatures in older wooden houses tend to peak.

"Many older people do not feel the heat until it is already a problem," said Aiko Tanabe, a community nurse who joined one of the rounds on Wednesday. "A knock on the door and a cold bottle of tea can make a big difference."

Advice from health workers includes:

1. Drink water or barley tea regularly, even when you are not thirsty.
2. Use air conditioning at night, and keep curtains closed during the day.
3. Avoid heavy outdoor work between 11 a.m. and 4 p.m.

Forecasters expect a break in the heat early next week, when a band of rain is due to move in from the west. Until then, the advisory remains in place.

On Thursday morning, organisers added ten more cooling rooms in the northern wards, bringing the total to 148, and extended opening hours at the largest sites until 10 p.m. A full list of locations is published at [example.org](https://example.org).`,
		},
		{
			Headline:    "Shade trees and stone benches for the seafront after residents' petition",
			Dek:         "Forty young trees have been planted along a stretch of promenade where walkers, anglers and joggers had long complained of the afternoon sun.",
			Dateline:    "BEIRUT",
			Section:     "world",
			Authors:     []string{"amara-okafor"},
			Tags:        []string{"Cities", "Climate"},
			Subscribers: true,
			HoursAgo:    78,
			Body: `For years, the regulars who fish, walk and drink coffee along Beirut's seafront have made the same request: somewhere to sit out of the sun. This week, they got the first part of an answer.

Forty young trees, mostly tamarisk and carob, were planted along a 600-metre stretch of the promenade, alongside twelve new stone benches placed where the trees will cast shade in the late afternoon. The work was organised by a neighbourhood committee that gathered more than 3,000 signatures last year and raised most of the money through small donations.

"My father fished here and he always said the sea was kind but the sun was not," said Walid Nassar, 67, who has cast his line from the same spot most mornings for three decades. "Maybe in five years I will sit in the shade. Maybe my grandson will."

## Chosen for salt and wind

The species were chosen with help from a horticulturist at a local agricultural school, who looked at which trees could cope with salt spray, strong winds and the heat reflected off the paving. Each tree has been planted in a deep pit filled with improved soil and fitted with a drip line.

"The first two summers are the hardest," said Lina Khoury, the horticulturist. "If they survive those, they will be very stubborn trees."

Volunteers have signed up to check the drip lines twice a week, and a café owner near the northern end of the stretch has offered his tap for extra watering on the hottest days.

The benches were carved by a stonemason from the mountains, who used offcuts from a quarry that would otherwise have been crushed for gravel. Each one carries a small engraved fish, a detail suggested by children at a nearby primary school.

Not all of the response has been warm. Some joggers worry that the benches will narrow a path that is already crowded on weekend evenings, and the committee has agreed to watch the busiest section closely and move a bench if needed.

The group hopes to plant another forty trees next spring, further along the coast. Donations and volunteer sign-ups are collected through [example.org](https://example.org).`,
		},
		{
			Headline: "Library branch to stay open until midnight in six-month trial",
			Dek:      "One branch will keep its reading rooms open late four nights a week for students, shift workers and anyone who wants a quiet, warm place to be.",
			Dateline: "GLASGOW",
			Section:  "national",
			Authors:  []string{"mei-lin-ashworth", "rangi-whitaker"},
			Tags:     []string{"Libraries", "Cities"},
			HoursAgo: 6,
			Body: `A library in Glasgow's east end will keep its doors open until midnight four nights a week from next month, in a trial that librarians hope will reach people who cannot visit during the day.

The branch, a red sandstone building that opened in 1906, will extend its hours from Wednesday to Saturday for six months. The late sessions will offer the reading room, free wifi, printing and a small help desk staffed by two librarians and a security officer.

"We kept hearing the same thing from the same people," said Fiona McTaggart, the branch manager. "Nurses finishing a late shift, students without a desk at home, taxi drivers between fares. They'd say, 'I'd love to use the library, but you're always shut when I'm free.'"

## Quiet hours, hot drinks

After 9 p.m., the building will switch to what staff are calling quiet hours: no events, dimmed lights in the main hall and a kettle in the community room. Children under 16 will need to leave by 9 p.m. unless accompanied by an adult.

The extra hours are being paid for from a one-off grant for community projects, and librarians volunteered for the late rota rather than being assigned to it. Ms McTaggart said staff would keep a simple tally of who comes in and why, without asking for names.

Local reaction has been mostly enthusiastic. At a drop-in meeting on Tuesday, residents asked for more power sockets, a covered bike rack and later opening on Sundays.

> "It's somewhere to be that isn't a pub and isn't your bedroom," said Aaron Docherty, 19, who is studying for an engineering apprenticeship and shares a flat with three others. "That's rarer than you'd think."

Some neighbours raised concerns about noise from people leaving late, and the library has agreed to put up signs asking visitors to leave quietly and to review any complaints each month.

If the trial is judged a success, the library service says it could extend late opening to a second branch on the south side next year. Opening times and the late-night programme are listed at [example.org](https://example.org).`,
		},
		{
			Headline: "Early train added to timetable for hospital shift workers",
			Dek:      "From next month, a 5.12 a.m. departure will let staff on the first shift reach the city's main hospital before the morning handover.",
			Dateline: "LEEDS",
			Section:  "national",
			Authors:  []string{"rangi-whitaker"},
			Tags:     []string{"Transport", "Health"},
			HoursAgo: 33,
			Body: `A new early-morning train will run into Leeds from the eastern suburbs from next month, after a campaign by hospital staff who said the existing first service left them arriving after their shifts had begun.

The 5.12 a.m. departure will call at six stations before reaching the city centre at 5.49 a.m., giving workers time to walk or take a connecting shuttle bus to the hospital for a 6.30 a.m. handover. Until now, the first train of the day has arrived at 6.28.

"We've been running a car-share spreadsheet for three years," said Janet Akinyemi, a theatre nurse who started the petition last spring. "It worked, mostly, until somebody's car broke down and four of us were late. You can't be late for surgery."

The petition gathered just over 1,800 signatures, many from cleaners, porters and catering staff who do not drive. Rail planners found that an empty train already made the journey at that hour to position itself for the morning peak, and agreed to open it to passengers.

## Other timetable changes

The early service is one of several changes coming into effect with the new timetable:

- Two late-evening trains on the western line will leave 10 minutes later to connect with the last long-distance arrivals.
- A lightly used mid-morning service to the coast will run on weekends only.
- Platform allocations at two city-centre stations will change, and passengers are advised to check departure boards.

The cut to the coastal service has drawn criticism from a community group in one of the seaside towns, whose members say it is used by older residents travelling to hospital appointments. Rail officials said demand had fallen sharply and that a weekday bus link covers the same route.

For now, the hospital workers are celebrating. Ms Akinyemi said she planned to be on the first departure "with a flask and a banner, if they'll let me".

"It's not a huge change," said Tom Whitfield, a planner who worked on the new timetable. "It's one train. But for the people on it, it's the difference between arriving calm and arriving in a panic."

The full timetable is available at [example.org](https://example.org).`,
			Corrections: []string{"An earlier version of this story gave the new train's departure time as 5.21 a.m. It leaves at 5.12 a.m."},
		},
		{
			Headline: "Repair cafés fix a record number of kettles, lamps and bikes",
			Dek:      "Volunteer-run repair sessions across the city mended more than 4,000 household items last year, keeping an estimated 11 tonnes out of landfill.",
			Dateline: "BRISTOL",
			Section:  "national",
			Authors:  []string{"mei-lin-ashworth"},
			Tags:     []string{"Community", "Repair"},
			HoursAgo: 101,
			Body: `The volunteers who run Bristol's network of repair cafés fixed more household items last year than ever before, according to figures published this week, with toasters, table lamps and children's bikes topping the list.

Across 19 regular sessions held in church halls, libraries and a converted bus depot, volunteers logged 4,217 repairs, up from just under 3,000 the year before. The organisers estimate that the mended items weighed about 11 tonnes in total, almost all of which would otherwise have been thrown away.

"People come in apologising, as if a broken kettle is a personal failing," said Gareth Penhale, a retired electrician who has volunteered every month since the first session seven years ago. "Nine times out of ten it's a loose wire or a blown fuse. Ten minutes and a cup of tea."

## What gets fixed

The most common repairs last year were:

1. Small kitchen appliances, especially kettles and toasters.
2. Lamps and light fittings.
3. Bicycles, mainly brakes, gears and punctures.
4. Clothing, including zips, hems and torn pockets.
5. Laptops and phones, usually with new batteries or cleaned charging ports.

Not everything can be saved. Volunteers recorded about one in five items as beyond repair, most often because spare parts were not available or because a device was sealed in a way that made it impossible to open safely.

Sunita Baines, who coordinates the network, said the rising number of visitors reflected both tighter household budgets and a growing interest in keeping things for longer. "We're seeing a lot of younger people who want to learn, not just drop something off," she said. "They sit next to the volunteer and watch. Next time, they fix it themselves."

The sessions are free, though most visitors leave a small donation. The network is now looking for volunteers with sewing machines and for anyone who can repair vacuum cleaners, which one organiser described as "the great unmet need of our time".

Upcoming sessions are listed at [example.org](https://example.org).`,
		},
		{
			Headline:    "Worker-owned bakery opens a second shop",
			Dek:         "Eight years after opening in a former laundromat, a bakery owned by its staff is expanding across the city, with every member holding an equal vote.",
			Dateline:    "MONTREAL",
			Section:     "business",
			Authors:     []string{"mateo-saldana", "farid-haddad"},
			Tags:        []string{"Small business", "Food"},
			Subscribers: true,
			HoursAgo:    14,
			Body: `A bakery owned and run by its own workers will open a second shop in Montreal on Saturday, eight years after its founders pooled their savings to take over a former laundromat in the Plateau.

The co-operative, called Pain Commun, now has 23 members, each of whom holds a single share and an equal vote at the monthly general meeting. Members decide together on prices, wages, opening hours and, as one baker put it, "whether the rye is sour enough".

"When we started, people asked who the boss was, and we would point at the oven," said Hélène Ouellet, one of the five founders. "The oven is still the boss. But now there are more of us to argue with it."

## Growing slowly

The new shop, in a former hardware store near a metro station in the east of the city, will bake bread on site and sell pastries made at the original location. It will employ nine people, who will be offered membership after a six-month trial period.

Members say the co-op has grown more slowly than a conventional business might have. It turned down two offers of outside investment that would have given investors a say in how the bakery was run, and it paid for the expansion with a loan from a credit union and a members' fund built up from profits over several years.

Wages are set on a narrow scale: the highest-paid member earns no more than 1.5 times the lowest. Everyone, including the bookkeeper, works at least one early shift a month in the bakehouse.

"It's good for humility, and it's good for the bread," said Samir Belkacem, who manages the accounts and admits his croissants are "structurally interesting".

Not every decision has been easy. Last winter, members voted to raise the price of the standard loaf by 40 cents after flour and energy costs rose, a move that prompted a long debate and a few complaints from regulars. The co-op responded by introducing a cheaper day-old shelf.

Advisers who work with co-operatives say bakeries and cafés suit the model because skills are shared and the work is visible. "Everyone can see what everyone else is doing at four in the morning," said Nadia Fortin, an adviser with a regional co-op development group. "That builds trust quickly."

The new shop opens at 7 a.m. on Saturday. Details are at [example.org](https://example.org).`,
		},
		{
			Headline:        "Survey finds small shops holding steady, but rents still bite",
			Dek:             "Most of the 600 small businesses surveyed in the inner suburbs said trade had held up this year, though a third named rent as their biggest worry.",
			Dateline:        "MELBOURNE",
			Section:         "business",
			Authors:         []string{"mateo-saldana"},
			Tags:            []string{"Small business", "Cities"},
			Subscribers:     true,
			HoursAgo:        27,
			UpdatedHoursAgo: 11,
			Body: `Small shops, cafés and studios in Melbourne's inner suburbs are faring better than many of their owners feared at the start of the year, according to a survey released on Monday, though rising rents remain a persistent strain.

The survey of 612 businesses, carried out by a network of local traders' associations, found that 58 per cent reported steady or higher sales compared with last year. Just under a quarter said trade had fallen, and the remainder said it was too early to tell or declined to answer.

Rent was the most commonly cited concern, named by 34 per cent of respondents as their single biggest challenge, ahead of staffing, energy bills and competition from online retailers.

"Customers are back, people are walking the strip again," said Vanessa Kouris, who runs a stationery and gift shop and chairs one of the associations involved. "But when your lease comes up and the number goes up by a fifth, a good year can disappear very quickly."

## Key findings

- 58 per cent reported steady or increased sales.
- 34 per cent named rent as their biggest challenge; 21 per cent named staffing.
- 41 per cent had started or expanded online sales in the past two years.
- Almost half said they planned to hire at least one person in the next 12 months.

The survey also found wide differences between streets. Businesses on strips with regular markets or events reported stronger trade, while those next to long-running construction works reported the weakest.

Daniel Ngata, an economist who helped design the questionnaire, cautioned that the survey was voluntary and might over-represent businesses doing well enough to respond. "The ones that have closed don't fill in surveys," he said. "So you should read this as a picture of the survivors."

Some owners used the comment section to suggest practical changes, including longer loading-zone hours, shared bin collections and short-term leases for empty shopfronts, which they said would bring more foot traffic to quiet blocks.

Later on Monday, several of the associations said they would use the results to propose a voluntary code asking landlords to give at least six months' notice of rent increases. A meeting with property owners is planned for next month.

The full survey results are available at [example.org](https://example.org).`,
		},
		{
			Headline: "Bicycle couriers form a co-operative and set their own rates",
			Dek:      "Forty riders now share cargo bikes, a workshop and a dispatch whiteboard, and take contracts directly from shops, pharmacies and offices.",
			Dateline: "BOGOTÁ",
			Section:  "business",
			Authors:  []string{"rangi-whitaker"},
			Tags:     []string{"Transport", "Small business"},
			HoursAgo: 67,
			Body: `Every morning at seven, a few dozen cyclists gather outside a converted garage in the south of Bogotá, drink a quick coffee and check a whiteboard covered in addresses. By eight, they have scattered across the city carrying medicine, documents, bread and, on one recent Tuesday, a cello.

They are members of Rueda Libre, a courier co-operative founded last year by riders who wanted more control over their hours and pay. The group now has 41 members, a shared workshop, a fleet of 15 cargo bikes and regular contracts with about 60 local shops, pharmacies and law offices.

"Before, the phone told me where to go and how much I was worth," said Andrea Vargas, 29, one of the founders. "Now we sit at a table and decide together. Sometimes that takes a long time. But it is our table."

## How it works

Members pay a small monthly fee, which covers insurance, spare parts and the rent on the garage. Customers book deliveries by phone or through a simple web form, and a dispatcher, a role that rotates weekly, assigns jobs on the whiteboard and by group message.

Rates are set by distance and weight, and are published openly. Riders keep 85 per cent of each fee, with the rest going into a common fund used for repairs, training and an emergency loan pot.

The cargo bikes, which can carry up to 100 kilograms, were bought with a loan from a neighbourhood savings group. The co-operative says they allow riders to take on bulk orders from small businesses that would otherwise hire a van.

"A van gets stuck in traffic like everyone else," said Luis Ospina, who owns a print shop that sends boxes of flyers across the city most days. "The bikes get there. And I know the riders by name."

The co-operative's income is still modest, and members acknowledge that busy periods can be exhausting. Several also work part time elsewhere. Mechanics from the group run free repair sessions on Sundays, partly to recruit new members and partly, Ms Vargas said, "because nobody should ride with bad brakes".

The group hopes to open a second base in the north of the city next year. More information is at [example.org](https://example.org).`,
		},
		{
			Headline:    "Divers and drones map northern seagrass meadows",
			Dek:         "A two-year survey has charted eelgrass beds in the fjords around the city, giving scientists a baseline for tracking how the underwater meadows respond to warming seas.",
			Dateline:    "TROMSØ",
			Section:     "science",
			Authors:     []string{"ingrid-solberg"},
			Tags:        []string{"Climate", "Oceans"},
			Subscribers: true,
			HoursAgo:    20,
			Body: `Researchers have completed the most detailed map yet of the seagrass meadows growing in the shallow fjords around Tromsø, combining thousands of drone photographs with hundreds of hours of diving in water that rarely rises above 10C.

The survey, carried out over two summers by a small team from a regional marine research station with help from local volunteer divers, charted about 340 hectares of eelgrass along roughly 90 kilometres of coastline. Many of the beds had never been recorded before.

Seagrass meadows act as nurseries for young fish, stabilise sediment on the seabed and store carbon in the mud beneath them. Scientists have long known that they grow in the far north, but detailed records of where, and how densely, have been patchy.

"We had a few old sketches from the 1980s and some notes from fishermen," said Marit Eilertsen, a marine ecologist who led the survey. "Now we have a baseline. If these meadows change in the next twenty years, we will be able to see it."

## Counting shoots by hand

The drones, flown at low tide on calm days, produced images sharp enough to show the outline of each meadow. Divers then checked a sample of sites, counting shoots inside a metal frame laid on the seabed and collecting small cores of sediment.

The work was slow. On some days, wind or fog grounded the drones entirely, and the divers' working time was limited by the cold. "You learn to count very quickly with numb fingers," said Jonas Brekke, a volunteer diver and secondary school teacher who joined the team for both summers.

Early results suggest that the healthiest meadows are in sheltered bays with clear water, while beds near river mouths were thinner and patchier, possibly because of sediment carried down in spring meltwater.

The team is cautious about drawing conclusions on climate change from a single survey. Warmer water could allow seagrass to spread further north and deeper, but it might also bring new grazers or more frequent storms.

> "A map is not an answer," Dr Eilertsen said. "It is the beginning of a long set of questions."

The researchers plan to repeat the survey every five years and have made their maps available to the public at [example.org](https://example.org).`,
		},
		{
			Headline: "Backyard rain gauges give the city's edge a neighbourhood weather record",
			Dek:      "More than 150 households on the outskirts now record rainfall every morning, building a detailed local picture that small farmers use to time their planting.",
			Dateline: "NAIROBI",
			Section:  "science",
			Authors:  []string{"ingrid-solberg"},
			Tags:     []string{"Climate", "Citizen science"},
			HoursAgo: 58,
			Body: `At six o'clock every morning, Grace Wanjiru walks to the bottom of her vegetable plot on the outskirts of Nairobi, lifts a plastic cylinder off a wooden post and reads the water level against a line of printed numbers. Then she sends a text message containing a single figure.

She is one of 163 volunteers in a community rain-gauge network that has grown from a handful of households three years ago to cover a wide arc of smallholdings, schools and churchyards on the city's western and southern edges.

"Rain here is very local," said Ms Wanjiru, who grows kale, beans and tomatoes on less than half an acre. "My sister, two kilometres away, can have a storm while I have nothing. Now we can see it on the map."

## From text messages to a map

The readings are collected by a simple text-message system and plotted on a shared map that updates daily. Once a week, a volunteer group of students and retired teachers summarises the figures and sends a short bulletin back to participants, showing how much rain fell in each area and how the week compared with the same period in earlier years.

The project was started by Peter Otieno, a physics teacher at a secondary school, who built the first gauges with his students from cut plastic bottles. The network now uses cheap standard gauges, and each volunteer receives a short training session on how to place them away from trees and roofs.

"The data are only as good as the person reading the gauge," Mr Otieno said. "So we make it a small ritual. Same time, same place, every day."

Farmers in the network say the records have helped them decide when to plant, and when to hold back seed after a false start to the rains. Several schools now use the figures in maths and geography lessons.

Researchers who have looked at the network say volunteer readings like these can help fill the gaps between professional weather stations, provided they are checked carefully. The group compares each new reading with nearby gauges and flags unusual values for a follow-up call.

The network is looking for more volunteers, especially in the hillier areas to the west. Its rainfall maps are published at [example.org](https://example.org).`,
		},
		{
			Headline: "Volunteers count a record night of moths in annual survey",
			Dek:      "More than 300 species were recorded across the county in a single night, though organisers warn that one good count says little about long-term trends.",
			Dateline: "CORK",
			Section:  "science",
			Authors:  []string{"ingrid-solberg", "mei-lin-ashworth"},
			Tags:     []string{"Wildlife", "Citizen science"},
			HoursAgo: 120,
			Body: `Volunteers running light traps in gardens, hedgerows and on the edge of a golf course across County Cork recorded 312 species of moth in a single night last weekend, the highest total since the annual survey began eleven years ago.

The count is organised by a local natural history society, which asks members of the public to set up a trap, usually a white sheet or an egg-box-lined bucket beneath a bright lamp, and record what arrives between dusk and dawn. The moths are photographed, counted and released unharmed in the morning.

This year, 94 sites took part, up from 61 last year, and organisers believe the rise in volunteers largely explains the higher species count.

"More eyes, more moths," said Siobhán Keohane, the survey coordinator. "I'd love to tell you that everything is booming out there, but a single warm, still night with lots of new recorders is not the same as a trend."

## Highlights of the night

Among the more notable finds were:

- A convolvulus hawk-moth, a large migrant that arrives from the south in some summers, found resting on a garden wall near the coast.
- Several hundred large yellow underwings at a single farm site, which its owner described as "a blizzard".
- A rosy footman, a small and delicate pink species that several first-time recorders said had persuaded them to take part again.

Moths are important pollinators at night and a major source of food for bats and birds. Ms Keohane said counts like this one were most valuable when repeated at the same sites, in the same way, year after year.

For many of the volunteers, the science is only part of the appeal. Dermot Fitzgerald, a retired bus driver who ran a trap in his back garden for the first time, said he had sat up until 2 a.m. with a flask of tea and a field guide.

"I've lived in that house for forty years and I had no idea," he said. "There's a whole other world out there when the lights go off."

The society will add the results to its long-running records and share them with other recording groups. Photographs and a full species list are posted at [example.org](https://example.org).`,
		},
		{
			Headline: "Medieval psalter returns to monastery library after forty-year loan",
			Dek:      "The illuminated manuscript, lent to a city museum for safekeeping in the 1980s, travelled home in a climate-controlled van that never went faster than 40 kilometres an hour.",
			Dateline: "KRAKÓW",
			Section:  "culture",
			Authors:  []string{"farid-haddad"},
			Tags:     []string{"Museums", "History"},
			HoursAgo: 41,
			Body: `A 14th-century psalter that spent four decades in the care of a Kraków museum has been returned to the small monastery library where it was made, in a handover that involved two conservators, a climate-controlled van and a convoy that never exceeded 40 kilometres an hour.

The manuscript, a book of psalms decorated with gold leaf and tiny painted birds in its margins, was lent to the city's municipal history museum in the 1980s, after a leaking roof put the monastery's collection at risk. It was meant to be a temporary arrangement. It became one of the museum's best-loved exhibits.

"Schoolchildren used to press their noses to the glass looking for the owl on page 43," said Magdalena Wróbel, the museum's curator of manuscripts. "We will miss it. But it was always a guest here, and good guests go home."

## A new room for an old book

The return was made possible by the completion of a new reading room and storage vault at the monastery, paid for through a mix of grants and local fundraising. The vault keeps temperature and humidity steady all year, and the reading room has low-light display cases where the psalter will be shown open at a different page each month.

Brother Tadeusz, the monastery's librarian, said the community had waited a long time for the day. He described the book as "a family member who has been living with relatives in the city".

Before the journey, conservators spent several weeks examining the binding and the pigments, and made a full digital copy. The manuscript travelled in a custom-made box lined with acid-free board, strapped into a padded cradle.

The museum will display a high-resolution facsimile in place of the original, along with a short film about the manuscript's history and its return. Visitors to the monastery will be able to see the psalter by appointment, in small groups, from next month.

> "A book like this was made to be read, not just kept," Ms Wróbel said. "Now it is back where it was read for six hundred years."

The digital copy of the psalter can be viewed page by page at [example.org](https://example.org).`,
		},
		{
			Headline: "Retired postman wins city chess open on final-round tiebreak",
			Dek:      "Alec Baird, 73, topped a field of 86 players, including a visiting international master, in a tournament decided by the last game of the weekend.",
			Dateline: "DUNDEE",
			Section:  "culture",
			Authors:  []string{"farid-haddad"},
			Tags:     []string{"Chess", "Community"},
			HoursAgo: 1,
			Body: `A retired postman who learned chess from a library book during a long winter in the 1960s has won Dundee's annual open tournament, edging out a field of 86 players on tiebreak after the last game of the weekend finished shortly before 7 p.m. on Sunday.

Alec Baird, 73, finished on five points from six rounds, level with a 17-year-old university student and a visiting international master. He took the title because his opponents had, between them, scored more points than those of the other two, a standard tiebreak that rewards players who faced a tougher field.

"I didn't know I'd won until somebody showed me the sheet," Mr Baird said, still holding the paper cup of tea he had been given at the start of his final game. "I thought I'd come third. I'd have been happy with third."

## A queen sacrifice in round four

The turning point came in the fourth round, when Mr Baird, playing black, gave up his queen for a rook and a bishop against the tournament's top seed. Spectators gathered three deep around the board as the position grew more and more tangled.

"Honestly, I thought he'd blundered," said Kirsty Lumsden, the tournament director. "Then about ten moves later everyone realised he had it all worked out."

The tournament, now in its 41st year, is held in a church hall and run entirely by volunteers from the city's chess club. This year's field was the largest since the event began, with players aged from 8 to 88.

Organisers said interest had been boosted by a new junior section and by free lessons held at two libraries over the summer. Nearly a third of the entrants were under 18.

Among them was Rory Mackintosh, 12, who won the junior prize and said his aim for next year was "to play Mr Baird and not lose in twenty moves". Mr Baird, who has helped at the club's Saturday coaching sessions for more than a decade, said he would be delighted to oblige, "apart from the not losing".

The winner receives a small silver cup, a book token and his name on a board that hangs in the club's rooms. Results and games from the tournament can be replayed at [example.org](https://example.org).`,
		},
		{
			Headline:    "Single-screen cinema reopens with volunteer projectionists",
			Dek:         "Closed for five years, a 1930s picture house has been brought back to life by a community group that raised the money one seat at a time.",
			Dateline:    "HOBART",
			Section:     "culture",
			Authors:     []string{"farid-haddad"},
			Tags:        []string{"Film", "Community"},
			Subscribers: true,
			HoursAgo:    89,
			Body: `The lights dimmed, the curtain creaked open and a cheer went up from 280 people in velvet seats as a small picture house in Hobart showed its first film in five years on Friday night.

The cinema, which opened in 1937 and closed after its last owner retired, has been bought and restored by a community group that raised most of the money by inviting supporters to "adopt" a seat for a donation. Each of the 280 seats now carries a small brass plate with a name, a message or, in several cases, the name of a beloved dog.

"We had one man buy four seats in a row for his family, and then one more for his late mother, so she could sit with them," said Rebecca Tolman, who chairs the group. "That's when I knew this was about more than films."

## Learning to thread a projector

The cinema will show most new releases digitally, but the group has also restored the original 35mm projectors for monthly screenings of classic films. Six volunteers have been trained to run them by Clive Duggan, 81, who worked as the cinema's projectionist from the 1960s until it closed.

"It's like driving an old car," Mr Duggan said. "You have to listen to it. If it sounds wrong, it is wrong."

Restoration took almost two years. Volunteers stripped and repainted the foyer, repaired the plaster ceiling and replaced the wiring. A local carpenter rebuilt the ticket booth from old photographs, and a sound engineer who grew up nearby installed a new speaker system at cost.

The group has kept ticket prices below those of larger cinemas, with a discounted Tuesday night and a monthly relaxed screening for families with young children and for people who find standard cinemas overwhelming.

Running costs remain a concern. The group estimates it needs to sell about 1,200 tickets a week to break even and is relying on its candy bar, private hire and a membership scheme to close the gap.

The opening programme includes a new animated feature, a documentary about Tasmania's coastline and a classic musical on 35mm film. Session times are at [example.org](https://example.org).`,
		},
	}
}
