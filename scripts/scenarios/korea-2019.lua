-- korea-2019.lua: the flagship scenario.  brink run scripts/scenarios/korea-2019.lua
--
-- Northeast Asia from May 2019 to the end of 2020, after Kim Jong-un set the
-- United States a deadline of 31 December 2019.  The situation follows
-- Patricia M. Kim, "No Easy Solutions: Northeast Asia's Muddled Security
-- Landscape" (Council on Foreign Relations, Asia Unbound, 2019); the text and
-- the numbers are this scenario's own.  docs/korea-2019.md maps every part of
-- the model to the source and gives the measured outcome tables.

local util = import "util"

scenario {
  id = "korea-2019",
  title = "No Easy Solutions: Northeast Asia, 2019-2020",
  start = "2019-05-01",
  finish = "2020-12-31",
  turn = "month",
  seed = 2019,
  moves_per_turn = 1,
  default_outcome = "stalemate",
  brief = [[
May 2019.  Since early 2018 Kim Jong-un has met Moon Jae-in, Donald Trump
and Xi Jinping, and in April 2019 Vladimir Putin at Vladivostok.  The Hanoi
summit ended without an agreement and the talks have stalled.  Pyongyang
wants sanctions relief before it takes steps toward denuclearization;
Washington wants concrete steps before any relief.  Meanwhile the North's
nuclear and missile programs keep growing.

Kim has told the Supreme People's Assembly that he will wait until the end
of 2019 for the United States to change its approach, and has since watched
tests of a new short-range "tactical guided weapon".  If December comes
without concessions he may resume long-range missile or nuclear tests to
save face, which would stall the talks or bring back the "fire and fury"
crisis of 2017.

Seoul mediates and pushes small steps: military tension-reduction measures
and joint inter-Korean projects.  Its standing as mediator is close to
spent, and South Koreans are divided, liberals against conservatives, on
where the country's security should rest.  Beijing, absorbed by its trade
war with Washington, backs the North's call for relief and has loosened its
own enforcement; it would press Pyongyang again only after a grave step
such as a nuclear test, or if enforcement became the first item between
Washington and Beijing.  China and Russia would welcome a "neutral"
peninsula without the US alliance.  Washington's attention shrinks as the
2020 election nears; the President has mused about withdrawing some of the
28,500 US troops in Korea, but the FY2019 defense authorization bars going
below 22,000 without a certification by the Secretary of Defense.

The run ends in a phased deal, a new crisis, Seoul leaving the alliance for
a neutral status, or, at the end of 2020, a stalemate.  A deal needs more
than steps for relief: a peace regime in sight (who guarantees the North's
security, who enforces it, where the lines at sea run), and a Washington
with the attention to sign.

Source: Patricia M. Kim, "No Easy Solutions: Northeast Asia's Muddled
Security Landscape", Council on Foreign Relations, Asia Unbound, 2019.]],
}

-- Actors move in this order each month.
actor "USA" {
  name = "United States",
  brief = [[You want verifiable steps toward denuclearization before any
sanctions relief, allies who stay close, and no crisis in an election year.
Your attention is limited and shrinks through 2020.  Troop cuts below 22,000
need a certification the Pentagon will not give.]],
}
actor "DPRK" {
  name = "North Korea",
  brief = [[You want sanctions relief first, security guarantees, and fewer
US forces, drills and strategic assets around the peninsula.  Your deadline
for Washington is 31 December 2019.  Tests raise the stakes but may bring
China back to the side of enforcement.  Only you know the size of your
arsenal.]],
}
actor "ROK" {
  name = "South Korea",
  brief = [[President Moon wants to keep talks alive through mediation,
tension-reduction measures and joint projects with the North, while keeping
the alliance with the United States, which Seoul holds to be bilateral and
not on the table.  Your standing as mediator wears thin, and the public is
split.]],
}
actor "PRC" {
  name = "China",
  brief = [[The trade war with Washington comes first.  You back the North's
call for sanctions relief and have eased your own enforcement.  A nuclear
test, or a Washington that made enforcement its first demand, would change
that.  You favor a peninsula without the US alliance.]],
}
actor "RUS" {
  name = "Russia",
  brief = [[Putin received Kim at Vladivostok in April 2019.  You support
relief, a collective-security arrangement for the region, and any step that
loosens the US alliances, at low cost to yourself.]],
}
actor "JPN" {
  name = "Japan",
  brief = [[A US ally within range of the North's missiles.  You oppose relief
without steps, want the alliance and missile defense strong, and have your
own quarrel with Seoul over history and trade.]],
}

-- The talks and the region -------------------------------------------------

var "negotiations" { min = 0, max = 100, init = 20,
  doc = "progress toward a phased deal: denuclearization steps for sanctions relief" }
var "trade_war" { min = 0, max = 100, init = 65, doc = "US-China trade tension" }
var "neutralization" { min = 0, max = 100, init = 10,
  doc = "pressure to 'neutralize' the peninsula: no alliance, no US forces" }
var "security_talks" { min = 0, max = 100, init = 5,
  doc = "progress on a peace regime: who guarantees the North's security, who "
     .. "enforces it, where the lines at sea run (a deal needs some)" }

-- United States
var "USA.troops" { type = "integer", min = 0, max = 40000, init = 28500,
  doc = "US troops in South Korea" }
var "USA.exercises" { min = 0, max = 100, init = 40,
  doc = "scale of combined exercises (100: the full-scale drills of 2017)" }
var "USA.strategic_assets" { type = "integer", min = 0, max = 5, init = 1,
  doc = "bombers, carriers and submarines deployed around the peninsula" }
var "USA.bandwidth" { min = 0, max = 100, init = 70,
  doc = "Washington's attention and appetite for risk on Korea" }
var "USA.guarantee_offered" { type = "flag", init = false,
  doc = "Washington has offered the North written security assurances" }
var "USA.relief_rounds" { type = "integer", min = 0, max = 3, init = 0,
  doc = "phases of sanctions relief Washington has offered" }
var "USA.coordination" { min = 0, max = 100, init = 30,
  doc = "how closely Washington, Seoul and Tokyo agree on their approach" }
var "USA.certified" { type = "flag", init = false,
  doc = "the Secretary of Defense has certified a cut below 22,000 troops" }

-- North Korea
var "DPRK.sanctions" { min = 0, max = 10, init = 8, doc = "sanctions pressure on the North" }
var "DPRK.nuclear_moratorium" { type = "flag", init = true, doc = "no nuclear test since 2017" }
var "DPRK.icbm_moratorium" { type = "flag", init = true, doc = "no long-range missile test since 2017" }
var "DPRK.short_range_tests" { type = "integer", min = 0, max = 99, init = 1,
  doc = "short-range launches since April 2019" }
var "DPRK.economy" { min = 0, max = 100, init = 35, doc = "the North's economic health" }
var "DPRK.steps" { type = "integer", min = 0, max = 3, init = 0,
  doc = "concrete denuclearization steps the North has taken" }
var "DPRK.new_path" { type = "flag", init = false,
  doc = "Kim has announced a 'new path' after the deadline" }
-- Hidden: only Pyongyang sees these; the opening hook draws their true
-- starting values in turn 1 (the inits below are placeholders).  The
-- priors are what everyone else believes: the range of public estimates
-- the hook draws from.  Only a host's search reads them (a run never does).
-- Washington starts from the same estimates ('believed'); its intelligence
-- and the North's tests narrow them (believe, reveal), and its seat sees
-- the estimate where the others see "hidden".
var "DPRK.warheads" { type = "integer", min = 0, max = 200, init = 30, hidden = true,
  prior = { 20, 60 }, believed = { USA = { 20, 60 } },
  doc = "nuclear warheads (known only to Pyongyang)" }
var "DPRK.missile_skill" { min = 0, max = 100, init = 55, hidden = true,
  prior = { 20, 80 }, believed = { USA = { 20, 80 } },
  doc = "readiness of a new long-range missile (known only to Pyongyang)" }

-- South Korea
var "ROK.mediation" { min = 0, max = 100, init = 55,
  doc = "Seoul's standing as mediator with both Washington and Pyongyang" }
var "ROK.projects" { type = "integer", min = 0, max = 6, init = 1,
  doc = "joint inter-Korean projects running (the liaison office at Kaesong)" }
var "ROK.alliance" { min = 0, max = 100, init = 60, doc = "cohesion of the US-ROK alliance" }
var "ROK.engagement_support" { min = 0, max = 100, init = 50,
  doc = "share of South Koreans backing engagement with the North" }
var "ROK.assembly" { type = "enum", values = { "divided", "liberal", "conservative" },
  init = "divided", doc = "the National Assembly (elected April 2020)" }
var "ROK.cost_dispute" { type = "flag", init = false,
  doc = "Washington demands a much larger share of the cost of US forces" }
var "ROK.mediations" { type = "integer", min = 0, max = 99, init = 0,
  doc = "rounds of mediation Seoul has carried (each is worth less)" }
var "ROK.neutral" { type = "flag", init = false,
  doc = "Seoul has asked US forces to leave and accepted a neutral status" }

-- China and Japan
var "PRC.enforcement" { min = 0, max = 10, init = 4, doc = "Chinese enforcement of sanctions" }
var "PRC.leaning_in" { type = "flag", init = false,
  doc = "Beijing has turned to pressing Pyongyang" }
var "PRC.pressed" { type = "flag", init = false,
  doc = "Washington has made enforcement the first item with Beijing" }
var "PRC.rejected_guarantee" { type = "flag", init = false,
  doc = "Beijing has rejected a security guarantee from Washington alone" }
var "PRC.guarantor" { type = "flag", init = false,
  doc = "Beijing has offered to guarantee a neutral Korea" }
var "RUS.guarantor" { type = "flag", init = false,
  doc = "Moscow has offered to guarantee a neutral Korea" }
var "JPN.alliance" { min = 0, max = 100, init = 75, doc = "cohesion of the US-Japan alliance" }

-- Between actors, with the opening value of each pair that starts elsewhere.
relation "tension" {
  min = 0, max = 100, symmetric = true,
  init = { default = 30, ["USA.DPRK"] = 45, ["USA.PRC"] = 50, ["USA.RUS"] = 45,
           ["DPRK.JPN"] = 50, ["ROK.JPN"] = 45, ["PRC.JPN"] = 40 },
}
relation "trust" {
  min = -100, max = 100,
  init = { default = 0, ["USA.DPRK"] = -20, ["DPRK.USA"] = -10, ["DPRK.ROK"] = 10,
           ["DPRK.PRC"] = 30, ["DPRK.RUS"] = 25, ["ROK.DPRK"] = 10, ["ROK.USA"] = 40,
           ["USA.ROK"] = 30, ["USA.JPN"] = 50, ["JPN.USA"] = 50, ["JPN.DPRK"] = -50,
           ["JPN.ROK"] = -10, ["ROK.JPN"] = -20, ["PRC.DPRK"] = 10, ["RUS.DPRK"] = 15 },
}

-- Constants (scripts keep no state in locals, only fixed numbers) ----------

local NDAA_FLOOR = 22000   -- FY2019 NDAA: no cut below this without certification
local TROOP_CUT = 2500     -- one move withdraws this many
local NDAA_REASON = "the FY2019 NDAA bars cutting US forces in Korea below 22,000 "
  .. "without certification by the Secretary of Defense"

-- The North's concrete steps, in the order it would take them.
local STEPS = {
  "dismantles the Sohae engine test stand before foreign observers",
  "lets inspectors see the shutdown of a reactor line at Yongbyon",
  "declares a freeze of all fissile-material production",
}

-- Adds d to a relation: rel(w, "tension", "USA", "DPRK", 5).
local function rel(w, name, a, b, d)
  w[a][name][b] = w[a][name][b] + d
end

-- How the news names each actor.
local ADJECTIVE = { ROK = "South Korean", JPN = "Japanese" }
local LEADER = { PRC = "Xi Jinping", RUS = "Vladimir Putin" }

-- A weight never below zero.
local function pos(x) return math.max(0, x) end

-- 28500 -> "28,500".
local function thousands(n)
  local s = string.format("%d", n)
  return s:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
end

local function tested(w)
  return not w.DPRK.icbm_moratorium or not w.DPRK.nuclear_moratorium
end

-- The hidden arsenal, and the drift of each month ---------------------------

on("turn_start", function(w)
  if w.date.turn == 1 then
    -- Nobody outside Pyongyang knows the arsenal: each run draws its truth
    -- from the range of public estimates.
    w.DPRK.warheads = random(20, 60)
    w.DPRK.missile_skill = util.clamp(normal(50, 12), 20, 80)
    return
  end
  -- Sanctions bite as far as China enforces them; joint projects and what
  -- leaks across the borders soften the blow.
  local squeeze = w.DPRK.sanctions * (w.PRC.enforcement + 4) / 40
  w.DPRK.economy = w.DPRK.economy - squeeze - 0.2 + 0.2 * w.ROK.projects
  -- Tempers cool a little each month, the talks lose a little momentum.
  for _, other in ipairs({ "USA", "ROK", "JPN" }) do
    w.DPRK.tension[other] = util.toward(w.DPRK.tension[other], 35, 0.08)
  end
  w.negotiations = util.toward(w.negotiations, 15, 0.04)
  w.USA.coordination = util.toward(w.USA.coordination, 20, 0.05)
  -- The alliance erodes as the neutralization idea gains ground, and
  -- while the two allies quarrel over money.
  w.ROK.alliance = w.ROK.alliance - w.neutralization / 25 - (w.ROK.cost_dispute and 2 or 0)
  -- The North's programs grow whatever it says (hidden).
  if chance(0.5) then w.DPRK.warheads = w.DPRK.warheads + 1 end
  w.DPRK.missile_skill = w.DPRK.missile_skill + 1
  -- The campaign crowds out Korea in Washington.
  if w.date.year == 2020 then w.USA.bandwidth = w.USA.bandwidth - 2 end
end)

-- United States -----------------------------------------------------------

move "summit" {
  by = "USA", targets = { "DPRK" },
  doc = "Meet Kim Jong-un in person to restart the talks",
  when = function(w)
    if w.USA.bandwidth < 40 then return false, "the campaign leaves no room for a summit" end
    if w.USA.tension.DPRK >= 70 then return false, "too soon after the North's provocations" end
    return w.negotiations >= 15, "working-level talks have not prepared a summit"
  end,
  effect = function(w)
    w.USA.bandwidth = w.USA.bandwidth - 8
    rel(w, "tension", "USA", "DPRK", -8)
    w.JPN.alliance = w.JPN.alliance - 2
    if chance(0.3) then
      w.negotiations = w.negotiations - 4
      news("Trump and Kim meet, but the summit ends early without a joint statement")
      return
    end
    -- Allies who agree on the approach make a summit's promises credible.
    local gain = random(6, 14) + math.floor(w.USA.coordination / 15)
    w.negotiations = w.negotiations + gain
    -- As at Singapore: a promise to build a lasting peace regime.
    w.security_talks = w.security_talks + 5
    rel(w, "trust", "DPRK", "USA", 6)
    news("Trump and Kim meet; both sides speak of a new chapter (talks +%d)", gain)
  end,
  weight = function(w) return 0.6 * w.USA.bandwidth / 70 + w.negotiations / 60 end,
}

move "working_talks" {
  by = "USA", targets = { "DPRK" },
  doc = "Send the special representative to working-level talks",
  when = function(w)
    return w.USA.tension.DPRK < 80, "Pyongyang will not receive envoys at this level of tension"
  end,
  effect = function(w)
    local p = 0.45 + (w.USA.relief_rounds > 0 and 0.25 or 0) + w.DPRK.trust.USA / 200
      + (w.USA.coordination - 30) / 100
    if chance(util.clamp(p, 0.1, 0.9)) then
      w.negotiations = w.negotiations + 7
      news("US and North Korean negotiators report progress at working-level talks")
    else
      w.negotiations = w.negotiations - 2
      rel(w, "trust", "DPRK", "USA", -3)
      news("North Korean negotiators walk out, saying the Americans came empty-handed")
    end
  end,
  weight = function(w) return 1 + w.negotiations / 40 end,
}

move "partial_relief" {
  by = "USA", targets = { "DPRK" },
  doc = "Offer phased sanctions relief in exchange for concrete steps",
  when = function(w)
    local rounds = w.USA.relief_rounds
    if rounds >= 3 then return false, "every phase of relief is already on the table" end
    if rounds > w.DPRK.steps then return false, "Washington waits for a step in return for its last offer" end
    if tested(w) then return false, "no relief for a North that tests long-range weapons" end
    if w.USA.bandwidth < 35 then return false, "no appetite for a risky concession in the campaign" end
    return w.negotiations >= 30 + 12 * rounds, "the talks have not gone far enough for the next offer"
  end,
  effect = function(w)
    w.USA.relief_rounds = w.USA.relief_rounds + 1
    w.DPRK.sanctions = w.DPRK.sanctions - 1
    -- Relief agreed with Seoul and Tokyo beforehand holds; relief that
    -- surprises them is fought over.
    local agreed = w.USA.coordination >= 50
    w.negotiations = w.negotiations + (agreed and 8 or 4)
    rel(w, "trust", "DPRK", "USA", 8)
    w.JPN.alliance = w.JPN.alliance - (agreed and 1 or 4)
    news("Washington offers phase %d of sanctions relief in return for verifiable steps",
         w.USA.relief_rounds)
  end,
  weight = function() return 4 end,
}

move "offer_guarantee" {
  by = "USA", targets = { "DPRK" },
  doc = "Offer Pyongyang written security assurances (Beijing objects)",
  when = function(w)
    if w.USA.guarantee_offered then return false, "assurances are already on the table" end
    return w.USA.tension.DPRK < 75, "no assurances while the North threatens"
  end,
  effect = function(w)
    w.USA.guarantee_offered = true
    w.negotiations = w.negotiations + 5
    w.security_talks = w.security_talks + 8
    rel(w, "trust", "DPRK", "USA", 8)
    news("Washington offers Pyongyang written security assurances")
  end,
  weight = function() return 0.5 end,
}

move "tighten_sanctions" {
  by = "USA", targets = { "DPRK" },
  doc = "Push new sanctions designations and a stricter UN regime",
  when = function(w) return w.DPRK.sanctions < 10, "sanctions are at their maximum" end,
  effect = function(w)
    w.DPRK.sanctions = w.DPRK.sanctions + 1
    rel(w, "tension", "USA", "DPRK", 4)
    w.negotiations = w.negotiations - 3
    news("Treasury adds new North Korean entities and shippers to its sanctions list")
  end,
  weight = function(w)
    return pos(0.5 + w.USA.tension.DPRK / 80 - w.negotiations / 100) + (tested(w) and 1 or 0)
  end,
}

move "press_china" {
  by = "USA", targets = { "PRC" },
  doc = "Make sanctions enforcement the first item with Beijing, paid for with a trade concession",
  when = function(w)
    if w.PRC.pressed then return false, "enforcement is already the first item with Beijing" end
    if w.PRC.enforcement >= 10 then return false, "China already enforces in full" end
    return w.USA.bandwidth >= 20, "Washington has no attention left for a push in Beijing"
  end,
  effect = function(w)
    -- The price: tariffs Washington would rather have kept.
    w.PRC.pressed = true
    w.trade_war = w.trade_war - 12
    w.PRC.enforcement = w.PRC.enforcement + 1
    rel(w, "tension", "USA", "PRC", -3)
    news("Washington puts North Korea first with Beijing and suspends a round of tariffs; "
         .. "Chinese officials promise stricter checks at the border")
  end,
  weight = function() return 0.06 end,
}

move "raise_tariffs" {
  by = "USA", targets = { "PRC" },
  doc = "Escalate the trade war with new tariffs",
  when = function(w) return w.trade_war < 95, "the trade war is already at its peak" end,
  effect = function(w)
    w.trade_war = w.trade_war + 8
    rel(w, "tension", "USA", "PRC", 5)
    news("Washington announces new tariffs on Chinese goods")
  end,
  weight = function(w) return w.date.year == 2019 and 0.7 or 0.3 end,
}

move "trade_truce" {
  by = "USA", targets = { "PRC" },
  doc = "Agree to a partial trade deal with Beijing",
  when = function(w) return w.trade_war > 20, "there is little trade war left to settle" end,
  effect = function(w)
    w.trade_war = w.trade_war - 10
    rel(w, "tension", "USA", "PRC", -4)
    news("US and Chinese trade negotiators agree on a partial truce")
  end,
  weight = function(w) return w.trade_war / 80 end,
}

move "peace_regime_talks" {
  by = "USA", targets = { "PRC" },
  doc = "Open four-party talks with Seoul, Pyongyang and Beijing on a peace regime",
  when = function(w)
    if w.USA.bandwidth < 30 then return false, "the campaign leaves no room for a peace conference" end
    return w.negotiations >= 30, "the talks have not gone far enough to discuss a peace regime"
  end,
  effect = function(w)
    -- The hardest part of any deal: guarantees, enforcement, the lines at sea.
    local gain = w.PRC.rejected_guarantee and 6 or 9
    if w.USA.coordination >= 50 then gain = gain + 4 end
    w.security_talks = w.security_talks + gain
    w.USA.bandwidth = w.USA.bandwidth - 3
    news("Four-party talks on a peace regime open in Geneva; the Northern Limit Line "
         .. "and who guarantees what divide the delegations (security talks +%d)", gain)
  end,
  weight = function(w) return 0.4 + w.negotiations / 40 end,
}

move "joint_exercise" {
  by = "USA", targets = { "ROK" },
  doc = "Hold combined exercises at larger scale",
  when = function(w) return w.USA.exercises < 100, "exercises are at full scale" end,
  effect = function(w)
    w.USA.exercises = w.USA.exercises + 15
    w.ROK.alliance = w.ROK.alliance + 3
    rel(w, "tension", "USA", "DPRK", 4)
    rel(w, "tension", "ROK", "DPRK", 4)
    news("US and South Korean forces hold expanded combined exercises")
    if w.USA.exercises >= 60 then schedule("answer_to_drills", { turns = 1 }) end
  end,
  weight = function() return 0.8 end,
}

move "scale_down_exercises" {
  by = "USA", targets = { "ROK" },
  doc = "Scale down or postpone combined exercises as a gesture to Pyongyang",
  when = function(w) return w.USA.exercises > 0, "there are no exercises left to scale down" end,
  effect = function(w)
    w.USA.exercises = w.USA.exercises - 15
    w.negotiations = w.negotiations + 3
    rel(w, "tension", "USA", "DPRK", -4)
    w.ROK.alliance = w.ROK.alliance - 2
    news("The allies postpone a combined exercise and hold a smaller command post drill")
  end,
  weight = function(w) return 0.4 + w.negotiations / 60 end,
}

move "deploy_strategic_assets" {
  by = "USA", targets = { "DPRK" },
  doc = "Send bombers or a carrier group to the peninsula as a show of force",
  when = function(w)
    if w.USA.strategic_assets >= 5 then return false, "every available asset is already deployed" end
    return w.USA.bandwidth >= 25, "no appetite for a show of force in the campaign"
  end,
  effect = function(w)
    w.USA.strategic_assets = w.USA.strategic_assets + 1
    rel(w, "tension", "USA", "DPRK", 6)
    rel(w, "tension", "USA", "PRC", 3)
    w.ROK.alliance = w.ROK.alliance + 2
    w.JPN.alliance = w.JPN.alliance + 2
    news("US strategic bombers fly over the peninsula with allied escorts")
  end,
  weight = function(w) return w.USA.tension.DPRK / 80 + (tested(w) and 1 or 0) end,
}

move "cut_troops" {
  by = "USA", targets = { "ROK" },
  doc = "Withdraw 2,500 US troops from South Korea",
  when = function(w)
    return w.USA.troops - TROOP_CUT >= NDAA_FLOOR or w.USA.certified, NDAA_REASON
  end,
  effect = function(w)
    w.USA.troops = w.USA.troops - TROOP_CUT
    w.ROK.alliance = w.ROK.alliance - 8
    w.JPN.alliance = w.JPN.alliance - 3
    w.neutralization = w.neutralization + 8
    rel(w, "trust", "DPRK", "USA", 5)
    news("The Pentagon announces that %s troops in Korea will not be replaced; %s remain",
         thousands(TROOP_CUT), thousands(w.USA.troops))
  end,
  -- A withdrawal needs a Washington with attention to spare: the campaign
  -- makes it more cautious, not less.
  weight = function(w) return (0.1 + (100 - w.ROK.alliance) / 200) * w.USA.bandwidth / 70 end,
}

move "certify_cut" {
  by = "USA", targets = { "ROK" },
  doc = "Have the Secretary of Defense certify that going below 22,000 troops serves US interests",
  when = function(w)
    if w.USA.certified then return false, "the certification is already given" end
    if w.USA.troops - TROOP_CUT >= NDAA_FLOOR then
      return false, "cuts down to 22,000 need no certification"
    end
    return w.USA.bandwidth >= 40, "no administration spends this much capital in the campaign"
  end,
  effect = function(w)
    w.USA.certified = true
    w.USA.bandwidth = w.USA.bandwidth - 10
    w.ROK.alliance = w.ROK.alliance - 6
    w.JPN.alliance = w.JPN.alliance - 4
    w.neutralization = w.neutralization + 4
    news("The Secretary of Defense certifies to Congress that a smaller force in Korea "
         .. "serves US interests; Seoul and Tokyo protest")
  end,
  weight = function() return 0.03 end,
}

move "demand_cost_sharing" {
  by = "USA", targets = { "ROK" },
  doc = "Demand that Seoul pay several times more for US forces",
  when = function(w) return not w.ROK.cost_dispute, "the cost-sharing dispute is still open" end,
  effect = function(w)
    w.ROK.cost_dispute = true
    w.ROK.alliance = w.ROK.alliance - 6
    w.neutralization = w.neutralization + 3
    rel(w, "trust", "ROK", "USA", -8)
    news("Washington asks Seoul to pay about five times more for US forces")
  end,
  weight = function() return 0.5 end,
}

move "consult_allies" {
  by = "USA", targets = { "ROK", "JPN" },
  doc = "Frank talks with an ally first, to agree on a common approach",
  effect = function(w, m)
    w[m.target].alliance = w[m.target].alliance + 6
    w.USA.coordination = w.USA.coordination + (m.target == "ROK" and 14 or 10)
    rel(w, "trust", m.target, "USA", 5)
    w.neutralization = w.neutralization - 3
    if m.target == "ROK" then w.ROK.mediation = w.ROK.mediation + 2 end
    news("US and %s officials coordinate their approach to the North", ADJECTIVE[m.target])
  end,
  weight = function(w, m) return pos(0.4 + (80 - w[m.target].alliance) / 60) * w.USA.bandwidth / 70 end,
}

-- North Korea -------------------------------------------------------------

move "short_range_test" {
  by = "DPRK",
  doc = "Launch short-range missiles or rockets, below the declared moratorium",
  effect = function(w)
    w.DPRK.short_range_tests = w.DPRK.short_range_tests + 1
    w.DPRK.missile_skill = w.DPRK.missile_skill + 2
    rel(w, "tension", "DPRK", "ROK", 5)
    rel(w, "tension", "DPRK", "JPN", 5)
    rel(w, "tension", "DPRK", "USA", 3)
    w.negotiations = w.negotiations - 2
    -- US analysts read the North's progress from each launch, roughly.
    local skill = math.floor(w.DPRK.missile_skill)
    believe("USA", "DPRK.missile_skill", skill - 10, skill + 10)
    news("North Korea fires short-range projectiles into the East Sea (%d launches since April 2019)",
         w.DPRK.short_range_tests)
  end,
  weight = function(w)
    return pos(1.2 + w.USA.exercises / 50 + (w.DPRK.new_path and 1 or 0) - w.negotiations / 50)
  end,
}

move "icbm_test" {
  by = "DPRK",
  doc = "Test a long-range missile, ending the moratorium",
  when = function(w)
    if w.DPRK.new_path or not w.DPRK.icbm_moratorium then return true end
    return w.DPRK.tension.USA >= 70, "Kim keeps his moratorium while the deadline runs"
  end,
  effect = function(w)
    w.DPRK.icbm_moratorium = false
    w.negotiations = w.negotiations - 12
    if chance(w.DPRK.missile_skill / 100) then
      rel(w, "tension", "DPRK", "USA", 18)
      rel(w, "tension", "DPRK", "JPN", 10)
      news("North Korea tests a new long-range missile that could reach the United States")
    else
      rel(w, "tension", "DPRK", "USA", 10)
      rel(w, "tension", "DPRK", "JPN", 8)
      news("North Korea launches a long-range missile; it breaks up in flight")
    end
    -- A long-range test shows the whole world what the missile can do.
    reveal("DPRK.missile_skill", "*")
    schedule("us_show_of_force", { turns = 2, data = { cause = "long-range missile test" } })
  end,
  weight = function(w)
    if not w.DPRK.new_path then return 0.2 end
    -- After the deadline Kim tests to save face, unless relief is on the
    -- table: each phase offered is a reason to wait.
    return pos(1.4 + (w.DPRK.tension.USA - 40) / 40 - w.negotiations / 100
               - 0.45 * w.USA.relief_rounds)
  end,
}

move "nuclear_test" {
  by = "DPRK",
  doc = "Conduct a nuclear test, the last rung of the ladder",
  when = function(w)
    if not w.DPRK.nuclear_moratorium then return false, "the moratorium is already broken" end
    return not w.DPRK.icbm_moratorium, "a long-range missile test would come first"
  end,
  effect = function(w)
    w.DPRK.nuclear_moratorium = false
    w.DPRK.warheads = w.DPRK.warheads + 1
    w.negotiations = w.negotiations - 20
    rel(w, "tension", "DPRK", "USA", 22)
    rel(w, "tension", "DPRK", "ROK", 15)
    rel(w, "tension", "DPRK", "JPN", 15)
    news("Seismic stations detect a nuclear test at Punggye-ri")
    -- The yield and the air samples give Washington a count within a few.
    local n = w.DPRK.warheads
    believe("USA", "DPRK.warheads", n - 5, n + 5)
    schedule("us_show_of_force", { turns = 2, data = { cause = "nuclear test" } })
  end,
  weight = function(w) return pos(0.1 + w.DPRK.sanctions / 40 + (w.DPRK.tension.USA - 60) / 80) end,
}

move "accept_talks" {
  by = "DPRK", targets = { "USA" },
  doc = "Agree to a round of working-level talks",
  when = function(w) return w.DPRK.tension.USA < 75, "Pyongyang refuses to talk under threat" end,
  effect = function(w)
    w.negotiations = w.negotiations + 3
    rel(w, "tension", "DPRK", "USA", -4)
    news("Pyongyang's foreign ministry says it is ready for talks 'with a new calculation'")
  end,
  weight = function(w) return pos(0.8 + (w.DPRK.trust.USA + 20) / 60) + w.USA.relief_rounds / 2 end,
}

move "freeze_step" {
  by = "DPRK", targets = { "USA" },
  doc = "Take a concrete step, such as closing part of the Yongbyon complex",
  when = function(w)
    if w.USA.relief_rounds == 0 then return false, "no step before relief is on the table" end
    if w.DPRK.steps >= w.USA.relief_rounds then
      return false, "no further step before Washington's next offer of relief"
    end
    return w.DPRK.tension.USA < 70, "no concessions under threat"
  end,
  effect = function(w)
    w.DPRK.steps = w.DPRK.steps + 1
    local gain = random(5, 10)
    w.negotiations = w.negotiations + gain
    rel(w, "trust", "USA", "DPRK", 8)
    news("North Korea %s (talks +%d)", STEPS[w.DPRK.steps], gain)
    schedule("verification", { turns = 1, data = { step = w.DPRK.steps } })
  end,
  weight = function(w) return pos(2.5 + (50 - w.DPRK.economy) / 25) end,
}

move "demand_relief" {
  by = "DPRK", targets = { "USA" },
  doc = "Insist publicly on sanctions relief and an end to 'hostile policy' (US forces and drills) first",
  effect = function(w)
    w.neutralization = w.neutralization + 4
    rel(w, "tension", "DPRK", "USA", 3)
    news("KCNA: Washington must drop its hostile policy and lift sanctions before anything else")
  end,
  weight = function() return 1.3 end,
}

move "court_patron" {
  by = "DPRK", targets = { "PRC", "RUS" },
  doc = "Seek a summit and aid from Beijing or Moscow",
  effect = function(w, m)
    rel(w, "trust", "DPRK", m.target, 6)
    rel(w, "trust", m.target, "DPRK", 4)
    w.DPRK.economy = w.DPRK.economy + 1.5
    if m.target == "PRC" and not w.PRC.leaning_in then
      w.PRC.enforcement = w.PRC.enforcement - 0.5
    end
    news("Kim Jong-un meets %s, who pledges support for 'peace and stability on the peninsula'",
         LEADER[m.target])
  end,
  weight = function() return 0.8 end,
}

move "expand_arsenal" {
  by = "DPRK",
  doc = "Quietly produce fissile material and missiles (the others cannot see it)",
  effect = function(w)
    w.DPRK.warheads = w.DPRK.warheads + random(1, 2)
    w.DPRK.missile_skill = w.DPRK.missile_skill + 3
    if chance(0.15) then
      w.negotiations = w.negotiations - 6
      rel(w, "trust", "USA", "DPRK", -10)
      news("Satellite images show new construction at a suspected enrichment site; "
           .. "Washington questions Pyongyang's good faith")
      -- The images raise Washington's estimate of the arsenal.
      local n = w.DPRK.warheads
      believe("USA", "DPRK.warheads", n - 4, n + 8)
    end
  end,
  weight = function() return 1 end,
}

move "cut_ties_with_seoul" {
  by = "DPRK", targets = { "ROK" },
  doc = "Shut a joint project and denounce Seoul as Washington's mouthpiece",
  when = function(w) return w.ROK.projects > 0, "no joint project is left to close" end,
  effect = function(w)
    w.ROK.projects = w.ROK.projects - 1
    w.ROK.mediation = w.ROK.mediation - 8
    rel(w, "tension", "DPRK", "ROK", 10)
    rel(w, "trust", "ROK", "DPRK", -10)
    w.ROK.engagement_support = w.ROK.engagement_support - 4
    news("Pyongyang shuts a joint project and calls Seoul an 'officious mediator'")
  end,
  weight = function(w) return 0.2 + (w.date.year - 2019) * 0.5 + w.DPRK.tension.ROK / 100 end,
}

-- South Korea -------------------------------------------------------------

move "mediate" {
  by = "ROK", targets = { "USA", "DPRK" },
  doc = "Carry proposals between Washington and Pyongyang",
  when = function(w) return w.ROK.mediation >= 15, "Seoul's standing with both sides is spent" end,
  effect = function(w, m)
    -- Each round is worth less than the one before: both sides have heard it.
    w.ROK.mediations = w.ROK.mediations + 1
    w.negotiations = w.negotiations + 8 / (1 + w.ROK.mediations / 2)
    w.ROK.mediation = w.ROK.mediation - 7
    rel(w, "trust", m.target, "ROK", 2)
    news("President Moon's envoys carry a proposal to %s",
         m.target == "USA" and "Washington" or "Pyongyang")
  end,
  weight = function(w) return 0.5 + w.ROK.mediation / 50 end,
}

move "joint_project" {
  by = "ROK", targets = { "DPRK" },
  doc = "Open a joint inter-Korean project (rail links, tourism, family reunions)",
  when = function(w)
    if w.ROK.projects >= 6 then return false, "every planned project is running" end
    if w.DPRK.sanctions >= 9 then return false, "UN sanctions leave no room for new projects" end
    return w.DPRK.tension.ROK < 60, "Pyongyang will not take part at this level of tension"
  end,
  effect = function(w)
    w.ROK.projects = w.ROK.projects + 1
    w.negotiations = w.negotiations + 2
    rel(w, "tension", "ROK", "DPRK", -5)
    rel(w, "trust", "DPRK", "ROK", 5)
    w.ROK.alliance = w.ROK.alliance - 2
    news("The two Koreas open a joint project (%d running); Washington says sanctions still apply",
         w.ROK.projects)
  end,
  weight = function(w)
    return 0.4 + w.ROK.engagement_support / 50 + (w.ROK.assembly == "liberal" and 0.5 or 0)
  end,
}

move "reduce_tension" {
  by = "ROK", targets = { "DPRK" },
  doc = "Carry out military tension-reduction measures along the DMZ",
  when = function(w) return w.DPRK.tension.ROK > 10, "tension along the DMZ is already low" end,
  effect = function(w)
    rel(w, "tension", "ROK", "DPRK", -8)
    w.negotiations = w.negotiations + 1
    -- Confidence-building along the DMZ is a first piece of a peace regime.
    w.security_talks = w.security_talks + 2
    w.ROK.alliance = w.ROK.alliance - 1
    news("The two militaries remove guard posts and mines along the DMZ")
  end,
  weight = function() return 0.8 end,
}

move "reaffirm_alliance" {
  by = "ROK", targets = { "USA" },
  doc = "Declare the alliance bilateral and not on the table",
  effect = function(w)
    w.ROK.alliance = w.ROK.alliance + 6
    w.neutralization = w.neutralization - 6
    rel(w, "tension", "ROK", "PRC", 3)
    news("Seoul says the alliance with Washington is not a subject for talks with anyone")
  end,
  weight = function(w) return 0.3 + math.max(0, 70 - w.ROK.alliance) / 20 end,
}

move "settle_cost_sharing" {
  by = "ROK", targets = { "USA" },
  doc = "Settle the cost-sharing dispute with a larger payment",
  when = function(w) return w.ROK.cost_dispute, "there is no cost-sharing dispute to settle" end,
  effect = function(w)
    w.ROK.cost_dispute = false
    w.ROK.alliance = w.ROK.alliance + 7
    w.ROK.engagement_support = w.ROK.engagement_support - 2
    news("Seoul agrees to pay more for US forces; critics call the deal lopsided")
  end,
  weight = function() return 0.4 end,
}

move "balanced_diplomacy" {
  by = "ROK", targets = { "PRC" },
  doc = "Progressives press for balance between Washington and Beijing and a peace regime "
     .. "without foreign troops",
  when = function(w)
    if w.ROK.assembly == "liberal" then return true end
    return w.ROK.engagement_support >= 45, "the progressives lack the public's backing"
  end,
  effect = function(w)
    w.neutralization = w.neutralization + 5
    w.ROK.alliance = w.ROK.alliance - 2
    rel(w, "trust", "PRC", "ROK", 3)
    news("Progressive lawmakers in Seoul call for 'balanced diplomacy' and a peninsula "
         .. "free of foreign troops; Beijing welcomes the idea")
  end,
  weight = function(w)
    return pos(0.3 + (w.ROK.engagement_support - 40) / 25 + (w.ROK.assembly == "liberal" and 0.6 or 0))
  end,
}

move "choose_neutrality" {
  by = "ROK", targets = { "USA" },
  doc = "Ask US forces to leave and accept a neutral status guaranteed by the neighbours",
  when = function(w)
    if w.ROK.assembly == "conservative" then
      return false, "the conservative Assembly would never allow it"
    end
    if w.ROK.alliance > 45 then return false, "the alliance still holds the public's confidence" end
    if not (w.PRC.guarantor or w.RUS.guarantor) then
      return false, "no neighbour has offered to guarantee a neutral Korea"
    end
    return w.neutralization >= 35, "neutrality is not yet a majority view"
  end,
  effect = function(w)
    w.ROK.neutral = true
    news("Seoul asks Washington to withdraw its forces and proposes a neutral Korea "
         .. "guaranteed by the four powers; who would enforce it, and where the lines at "
         .. "sea run, are left open")
  end,
  -- The open questions weigh on Seoul: one guarantor is not the four
  -- powers, and the quarrels with Tokyo (history, the islands) would be
  -- Korea's alone.
  weight = function(w)
    local guarantors = (w.PRC.guarantor and 1 or 0) + (w.RUS.guarantor and 1 or 0)
    return pos(0.5 + 0.25 * guarantors + (w.neutralization - 35) / 20 - w.ROK.tension.JPN / 200)
  end,
}

move "mend_ties" {
  by = "ROK", targets = { "JPN" },
  doc = "Extend the intelligence-sharing pact and seek a thaw with Tokyo",
  when = function(w) return w.ROK.tension.JPN > 20, "relations with Tokyo are calm" end,
  effect = function(w)
    rel(w, "tension", "ROK", "JPN", -8)
    w.ROK.alliance = w.ROK.alliance + 1
    news("Seoul and Tokyo agree to keep sharing intelligence on the North's missiles")
  end,
  weight = function(w) return w.ROK.tension.JPN / 60 end,
}

-- China -------------------------------------------------------------------

move "relax_enforcement" {
  by = "PRC", targets = { "DPRK" },
  doc = "Look away at the border: tourism, workers, ship-to-ship transfers",
  when = function(w)
    if w.PRC.leaning_in then return false, "Beijing has turned to pressing Pyongyang" end
    return w.PRC.enforcement > 0, "Chinese enforcement is already at its lowest"
  end,
  effect = function(w)
    w.PRC.enforcement = w.PRC.enforcement - 1
    w.DPRK.economy = w.DPRK.economy + 1
    rel(w, "trust", "DPRK", "PRC", 3)
    news("Chinese tour groups and trucks cross into the North in growing numbers")
  end,
  weight = function(w) return 0.4 + w.trade_war / 70 end,
}

move "tighten_enforcement" {
  by = "PRC", targets = { "DPRK" },
  doc = "Tighten border controls and inspections",
  when = function(w)
    if w.PRC.enforcement >= 10 then return false, "enforcement is already full" end
    if w.PRC.leaning_in or w.PRC.pressed then return true end
    return false, "Beijing will not squeeze Pyongyang unless Washington makes it the "
      .. "first item between them, or after a nuclear test"
  end,
  effect = function(w)
    w.PRC.enforcement = w.PRC.enforcement + 1
    rel(w, "trust", "DPRK", "PRC", -4)
    news("Chinese customs tighten inspections at Dandong")
  end,
  weight = function(w) return w.PRC.leaning_in and 1.5 or 0.6 + (60 - w.trade_war) / 60 end,
}

move "back_relief" {
  by = "PRC", targets = { "DPRK" },
  doc = "Call at the UN for easing sanctions, with Russia (no resolution passes without Washington)",
  when = function(w) return not w.PRC.leaning_in, "not after a nuclear test" end,
  effect = function(w)
    rel(w, "tension", "PRC", "USA", 2)
    rel(w, "trust", "DPRK", "PRC", 3)
    news("China and Russia circulate a draft UN resolution to ease sanctions on the North; "
         .. "Washington says it will not pass")
  end,
  weight = function() return 0.7 end,
}

move "trade_talks" {
  by = "PRC", targets = { "USA" },
  doc = "Make offers in the trade negotiations",
  when = function(w) return w.trade_war > 15, "trade relations are calm" end,
  effect = function(w)
    w.trade_war = w.trade_war - 6
    news("Chinese negotiators offer to buy more US farm goods")
  end,
  weight = function(w) return w.trade_war / 70 end,
}

move "counter_tariffs" {
  by = "PRC", targets = { "USA" },
  doc = "Answer US tariffs with tariffs of its own",
  when = function(w) return w.trade_war < 95, "the trade war is already at its peak" end,
  effect = function(w)
    w.trade_war = w.trade_war + 6
    news("Beijing answers with tariffs on US goods")
  end,
  weight = function() return 0.5 end,
}

move "reject_guarantee" {
  by = "PRC", targets = { "USA" },
  doc = "Reject a US security guarantee: any guarantee must come from all the parties",
  when = function(w)
    if w.PRC.rejected_guarantee then return false, "Beijing has already said no" end
    return w.USA.guarantee_offered, "Washington has offered no guarantee"
  end,
  effect = function(w)
    w.PRC.rejected_guarantee = true
    w.security_talks = w.security_talks - 6
    rel(w, "tension", "PRC", "USA", 3)
    news("Beijing says a guarantee from Washington alone would make the peninsula an "
         .. "American protectorate; any guarantee must come from all the parties")
  end,
  weight = function() return 3 end,
}

move "propose_neutrality" {
  by = { "PRC", "RUS" },
  doc = "Back the calls for a 'dual suspension' and a neutral peninsula without US guarantees",
  when = function(w)
    return w.neutralization >= 25, "nobody in Korea calls for neutrality yet"
  end,
  effect = function(w, m)
    w.neutralization = w.neutralization + 2
    w[m.by].guarantor = true
    w.negotiations = w.negotiations + 1
    rel(w, "tension", m.by, "USA", 2)
    news("%s calls for a neutral peninsula and an end to US drills and deployments",
         m.by == "PRC" and "Beijing" or "Moscow")
  end,
  weight = function(w) return 0.2 + pos(28500 - w.USA.troops) / 10000 end,
}

-- Russia ------------------------------------------------------------------

move "host_kim" {
  by = "RUS", targets = { "DPRK" },
  doc = "Receive North Korean leaders and promise economic help",
  effect = function(w)
    rel(w, "trust", "DPRK", "RUS", 6)
    w.DPRK.economy = w.DPRK.economy + 1
    news("Moscow receives a North Korean delegation and talks of rail and gas links")
  end,
  weight = function() return 0.7 end,
}

move "call_for_relief" {
  by = "RUS", targets = { "DPRK" },
  doc = "Argue for sanctions relief and let trade leak through",
  effect = function(w)
    w.DPRK.economy = w.DPRK.economy + 0.5
    rel(w, "tension", "RUS", "USA", 2)
    news("Moscow says sanctions have run their course; Russian ports let oil and coal through")
  end,
  weight = function() return 1 end,
}

move "collective_security" {
  by = "RUS",
  doc = "Promote a regional collective-security plan",
  effect = function(w)
    w.negotiations = w.negotiations + 2
    w.neutralization = w.neutralization + 2
    news("Russia presents its plan for collective security in the Asia-Pacific")
  end,
  weight = function() return 0.6 end,
}

-- Japan -------------------------------------------------------------------

move "consult_washington" {
  by = "JPN", targets = { "USA" },
  doc = "Align with Washington on the North and on missile defense",
  effect = function(w)
    w.JPN.alliance = w.JPN.alliance + 5
    w.ROK.alliance = w.ROK.alliance + 1
    news("Japanese and US officials reaffirm their common line on the North")
  end,
  weight = function(w) return pos(0.5 + (85 - w.JPN.alliance) / 30) end,
}

move "missile_defense" {
  by = "JPN",
  doc = "Strengthen missile defense",
  effect = function(w)
    w.JPN.alliance = w.JPN.alliance + 3
    rel(w, "tension", "JPN", "DPRK", 3)
    rel(w, "tension", "JPN", "PRC", 3)
    news("Tokyo funds more missile-defense interceptors")
  end,
  weight = function(w) return 0.3 + w.DPRK.short_range_tests / 10 end,
}

move "oppose_relief" {
  by = "JPN", targets = { "USA" },
  doc = "Lobby Washington against relief without steps",
  when = function(w)
    if w.USA.coordination >= 50 then return false, "Tokyo agreed to the offer beforehand" end
    return w.USA.relief_rounds > 0, "no relief is on the table"
  end,
  effect = function(w)
    w.negotiations = w.negotiations - 4
    w.JPN.alliance = w.JPN.alliance + 1
    news("Tokyo warns Washington against paying for promises")
  end,
  weight = function() return 1 end,
}

move "offer_summit" {
  by = "JPN", targets = { "DPRK" },
  doc = "Offer to meet Kim without preconditions, on the abductions",
  effect = function(w)
    rel(w, "trust", "DPRK", "JPN", 3)
    -- Abe resigned in September 2020; Suga kept the offer.
    local pm = w.date < date "2020-10-01" and "Abe" or "Suga"
    news("Prime Minister %s repeats that he would meet Kim without preconditions", pm)
  end,
  weight = function() return 0.4 end,
}

move "export_curbs" {
  by = "JPN", targets = { "ROK" },
  doc = "Tighten export controls on Korea in the dispute over history",
  when = function(w) return w.JPN.tension.ROK < 80, "relations with Seoul are already at a low" end,
  effect = function(w)
    rel(w, "tension", "JPN", "ROK", 10)
    w.ROK.alliance = w.ROK.alliance - 1
    w.JPN.alliance = w.JPN.alliance - 1
    news("Tokyo tightens export controls on materials for Korean chipmakers")
  end,
  weight = function(w) return w.date.year == 2019 and 0.4 or 0.2 end,
}

-- Events ------------------------------------------------------------------

event "us_show_of_force" {
  doc = "The US answer to a major provocation, two months later (smaller in the campaign)",
  effect = function(w, data)
    local cause = data and data.cause or "provocation"
    w.DPRK.sanctions = w.DPRK.sanctions + 1
    if w.USA.bandwidth < 30 then
      -- An absorbed Washington keeps its answer small.
      rel(w, "tension", "USA", "DPRK", 3)
      news("Absorbed by the campaign, Washington answers the %s with a statement and new "
           .. "sanctions designations", cause)
      return
    end
    w.USA.strategic_assets = w.USA.strategic_assets + 1
    w.USA.exercises = w.USA.exercises + 15
    rel(w, "tension", "USA", "DPRK", 8)
    w.ROK.alliance = w.ROK.alliance + 3
    w.JPN.alliance = w.JPN.alliance + 3
    if w.PRC.leaning_in then
      news("Answering the %s, Washington sends a carrier group; China and Russia let "
           .. "new UN sanctions pass", cause)
    else
      news("Answering the %s, Washington sends a carrier group and adds US sanctions; "
           .. "China and Russia block action at the UN", cause)
    end
  end,
}

event "verification" {
  doc = "Inspectors and intelligence agencies weigh a step the North has taken",
  effect = function(w, data)
    -- The more the North hides, the likelier the dispute.
    local p = 0.2 + (w.DPRK.warheads - 30) / 150
    if chance(util.clamp(p, 0.1, 0.6)) then
      w.negotiations = w.negotiations - 10
      rel(w, "trust", "USA", "DPRK", -8)
      news("US intelligence says step %d left a hidden site untouched; the talks stall over "
           .. "verification", data.step)
      believe("USA", "DPRK.warheads", w.DPRK.warheads - 3, w.DPRK.warheads + 10)
    else
      rel(w, "trust", "USA", "DPRK", 4)
      news("Inspectors confirm step %d; Washington calls it 'a start'", data.step)
      -- Inspectors on the ground count what intelligence could only guess.
      believe("USA", "DPRK.warheads", w.DPRK.warheads - 2, w.DPRK.warheads + 2)
    end
  end,
}

event "answer_to_drills" {
  doc = "The North answers large combined exercises with launches",
  effect = function(w)
    w.DPRK.short_range_tests = w.DPRK.short_range_tests + 1
    rel(w, "tension", "DPRK", "USA", 4)
    rel(w, "tension", "DPRK", "ROK", 4)
    news("Calling the drills a rehearsal for invasion, the North fires two short-range missiles")
  end,
}

-- Triggers ----------------------------------------------------------------

trigger "year_end_deadline" {
  at = "2019-12-31",
  doc = "Kim's deadline: without a deal in sight he takes a 'new path'",
  when = function(w) return w.negotiations < 70 end,
  effect = function(w)
    w.DPRK.new_path = true
    w.negotiations = w.negotiations - 8
    rel(w, "tension", "DPRK", "USA", 8)
    news("At a party plenum Kim says the North no longer feels bound by its moratoria "
         .. "and that the world will soon see a 'new strategic weapon'")
  end,
}

trigger "election_year_squeeze" {
  at = "2020-01-01",
  doc = "The US election year shrinks Washington's attention and appetite for risk",
  effect = function(w)
    w.USA.bandwidth = w.USA.bandwidth - 12
    news("The US election year begins; the White House wants no new risks on Korea")
  end,
}

trigger "ndaa_debate" {
  when = function(w) return w.USA.troops < 28500 end,
  doc = "Congress reacts to the first troop cut",
  effect = function(w)
    w.ROK.alliance = w.ROK.alliance + 3
    news("Senators of both parties recall that the law sets a floor of 22,000 troops in Korea")
  end,
}

trigger "china_leans_in" {
  doc = "After a nuclear test Beijing presses Pyongyang again",
  when = function(w) return not w.DPRK.nuclear_moratorium end,
  effect = function(w)
    w.PRC.leaning_in = true
    w.PRC.enforcement = w.PRC.enforcement + 3
    rel(w, "trust", "DPRK", "PRC", -20)
    rel(w, "tension", "PRC", "DPRK", 15)
    w.trade_war = w.trade_war - 5
    news("Beijing condemns the test, cuts fuel deliveries and joins a stricter UN resolution")
  end,
}

trigger "mediator_fatigue" {
  doc = "Seoul's mediation runs out of credit",
  when = function(w) return w.ROK.mediation < 20 end,
  effect = function(w)
    w.ROK.engagement_support = w.ROK.engagement_support - 8
    rel(w, "trust", "DPRK", "ROK", -10)
    news("Pyongyang says it has nothing more to discuss with Seoul; Moon's critics call "
         .. "his mediation a failure")
  end,
}

trigger "cooling_off" {
  once = false,
  doc = "Near the brink, third parties broker a pause (a chance each month)",
  when = function(w) return w.USA.tension.DPRK >= 85 end,
  effect = function(w)
    if chance(0.2) then
      rel(w, "tension", "USA", "DPRK", -12)
      news("Seoul and Beijing broker a pause; both sides tone down their threats")
    else
      news("Diplomats in Seoul and Beijing urge restraint; neither side listens")
    end
  end,
}

trigger "alliance_strain" {
  doc = "The alliance quarrel spills into South Korean politics",
  when = function(w) return w.ROK.alliance < 40 end,
  effect = function(w)
    w.neutralization = w.neutralization + 8
    w.ROK.engagement_support = w.ROK.engagement_support + 5
    news("Protesters in Seoul demand that US forces leave; Beijing and Moscow "
         .. "speak of a 'new security order' for the peninsula")
  end,
}

trigger "fire_and_fury_warning" {
  doc = "Tension nears the level of 2017",
  when = function(w) return w.USA.tension.DPRK >= 75 end,
  effect = function(w)
    w.USA.bandwidth = w.USA.bandwidth + 10
    news("The President warns Pyongyang on Twitter; analysts recall the summer of 2017")
  end,
}

trigger "assembly_election" {
  at = "2020-04-15",
  doc = "South Korea elects its National Assembly",
  effect = function(w)
    if w.ROK.engagement_support >= 45 then
      w.ROK.assembly = "liberal"
      w.ROK.mediation = w.ROK.mediation + 10
      news("Moon's party wins a large majority in the National Assembly elections")
    else
      w.ROK.assembly = "conservative"
      w.ROK.alliance = w.ROK.alliance + 5
      w.ROK.mediation = w.ROK.mediation - 10
      news("The conservatives win the National Assembly; Moon's North Korea policy is checked")
    end
  end,
}

trigger "hardship" {
  doc = "Sanctions bite: Pyongyang becomes readier to bargain",
  when = function(w) return w.DPRK.economy < 30 end,
  effect = function(w)
    w.negotiations = w.negotiations + 8
    rel(w, "trust", "DPRK", "USA", 5)
    news("Reports of food and fuel shortages in the North; its envoys sound more flexible")
  end,
}

trigger "us_election" {
  at = "2020-11-03",
  doc = "Americans vote; Korea policy waits for the transition",
  effect = function(w)
    w.USA.bandwidth = w.USA.bandwidth - 10
    w.negotiations = w.negotiations - 5
    news("The United States votes; whichever team takes office will review its North Korea policy")
  end,
}

-- Outcomes, checked in this order -----------------------------------------

-- Payoffs, for hosts that search or learn (a run never reads them): each
-- actor's interests as the brief gives them, from -10 (its worst) to 10,
-- with the stalemate near 0.  docs/korea-2019.md explains each number.

outcome "deal" {
  doc = "A phased deal: verifiable steps for sanctions relief",
  payoff = { USA = 8, DPRK = 6, ROK = 10, PRC = 4, RUS = 4, JPN = 3 },
  when = function(w)
    -- Steps for relief are not enough: a peace regime must be in sight, and
    -- someone in Washington must have the attention to sign.
    return w.negotiations >= 70 and w.DPRK.steps >= 2 and w.DPRK.nuclear_moratorium
       and w.security_talks >= 20 and w.USA.bandwidth >= 20
  end,
}

outcome "crisis" {
  doc = "Back to 'fire and fury': the two sides threaten war",
  when = function(w) return w.USA.tension.DPRK >= 90 end,
  payoff = { USA = -8, DPRK = -4, ROK = -10, PRC = -6, RUS = -2, JPN = -8 },
}

outcome "neutralization" {
  doc = "Seoul leaves the alliance for a neutral status under the pressure to neutralize",
  when = function(w) return w.ROK.neutral end,
  payoff = { USA = -10, DPRK = 8, ROK = -6, PRC = 8, RUS = 6, JPN = -8 },
}

-- The default outcome, declared only to give it a payoff: with no 'when'
-- it is reached when the calendar runs out, as before.
outcome "stalemate" {
  doc = "Stalled talks at the end of 2020",
  payoff = { USA = 0, DPRK = -2, ROK = -2, PRC = 0, RUS = 0, JPN = 0 },
}

-- Named policies -----------------------------------------------------------

-- The first option whose move is named in 'order', starting at position
-- 'from' and wrapping around; pass if none is legal.
local function rotate(options, order, from)
  local n = #order
  for k = 0, n - 1 do
    local name = order[(from + k - 1) % n + 1]
    for _, o in ipairs(options) do
      if o.move == name then return o end
    end
  end
  return options[#options]
end

local function has(options, name)
  for _, o in ipairs(options) do
    if o.move == name then return o end
  end
  return nil
end

policy "pressure" {
  actor = "USA",
  doc = "Maximum pressure: sanctions, drills, shows of force and a push on Beijing",
  choose = function(w, options)
    return rotate(options, { "tighten_sanctions", "press_china", "joint_exercise",
                             "deploy_strategic_assets", "consult_allies" }, w.date.turn)
  end,
}

local ENGAGE = { "working_talks", "summit", "scale_down_exercises", "peace_regime_talks",
                 "offer_guarantee", "trade_truce" }

policy "engagement" {
  actor = "USA",
  doc = "Engagement: summits, relief for steps, smaller drills; the allies are told, not consulted",
  choose = function(w, options)
    local offer = has(options, "partial_relief")
    if offer then return offer end
    return rotate(options, ENGAGE, w.date.turn)
  end,
}

-- The option that consults 'ally', if it is among the options.
local function consult(options, ally)
  for _, o in ipairs(options) do
    if o.move == "consult_allies" and o.target == ally then return o end
  end
  return nil
end

policy "allies_first" {
  actor = "USA",
  doc = "Frank talks with Seoul and Tokyo first, then Beijing, then Pyongyang and Moscow",
  choose = function(w, options)
    if w.USA.coordination < 60 then
      local ally = w.ROK.alliance <= w.JPN.alliance and "ROK" or "JPN"
      local o = consult(options, ally) or consult(options, ally == "ROK" and "JPN" or "ROK")
      if o then return o end
    end
    local push = has(options, "press_china")
    if push then return push end
    local offer = has(options, "partial_relief")
    if offer then return offer end
    return rotate(options, ENGAGE, w.date.turn)
  end,
}

policy "brinkmanship" {
  actor = "DPRK",
  doc = "Raise the stakes: tests, louder after the deadline, and demands",
  choose = function(w, options)
    -- Kim tests a long-range weapon only once he trusts it (hidden skill),
    -- and at most once a quarter.
    if w.DPRK.new_path and w.DPRK.missile_skill >= 70 and w.date.month % 3 == 0 then
      local big = has(options, "icbm_test") or has(options, "nuclear_test")
      if big then return big end
    end
    if w.DPRK.new_path then
      return rotate(options, { "short_range_test", "demand_relief", "expand_arsenal" }, w.date.turn)
    end
    return rotate(options, { "short_range_test", "demand_relief", "short_range_test",
                             "cut_ties_with_seoul" }, w.date.turn)
  end,
}

policy "patience" {
  actor = "DPRK",
  doc = "Strategic patience: talk, take steps once relief is offered, build quietly",
  choose = function(w, options)
    local step = has(options, "freeze_step")
    if step then return step end
    return rotate(options, { "accept_talks", "expand_arsenal", "court_patron",
                             "accept_talks", "demand_relief" }, w.date.turn)
  end,
}

-- What the analysis says, checked ---------------------------------------------

-- Each claim of the source this model is drawn from, as an expectation that
-- `brink test scripts/scenarios/korea-2019.lua --runs 2000` measures with a
-- 95% interval (docs/korea-2019.md tabulates the results).  Dates are turns:
-- "2019-12" is December 2019's turn.

local LONG_RANGE = { "icbm_test", "nuclear_test" }

local function long_range_test(r, from, to)
  return r:moved("DPRK", LONG_RANGE, from, to) > 0
end

local function relief_by_november(r)
  return r:moved("USA", "partial_relief", nil, "2019-11") > 0
end

local function nuclear_test(r) return r:first_move("DPRK", "nuclear_test") end
local function no_nuclear_test(r) return not nuclear_test(r) end

local function china_tightens(r) return r:moved("PRC", "tighten_enforcement") > 0 end

-- Troop cuts (or summits and relief) per US move in a year.
local function per_us_move(moves, year)
  return function(r) return r:moved("USA", moves, year, year), r:moved("USA", nil, year, year) end
end

expect "the deadline comes due" {
  claim = "Kim's year-end deadline passes without a deal in sight in most runs",
  mechanism = "the year_end_deadline trigger fires in the December 2019 turn unless the "
       .. "talks are near a deal (>= 70), and sets the North on its new path",
  share = function(r) return r:fired("year_end_deadline") end,
  at_least = 0.85,
}

expect "no long-range test before the deadline" {
  claim = "the North keeps its moratoria while the deadline runs",
  mechanism = "icbm_test is illegal before the new path unless tension with Washington "
       .. "reaches 70; a nuclear test needs a long-range test first",
  share = function(r) return not long_range_test(r, nil, "2019-11") end,
  at_least = 0.98,
}

expect "tests resume without concessions" {
  claim = "with no relief by the end of November 2019, a long-range test between "
       .. "December and May is far likelier than with relief",
  mechanism = "after the deadline icbm_test is the North's own move, weighed high and "
       .. "less for each phase of relief on the table",
  ratio = {
    { given = function(r) return not relief_by_november(r) end,
      share = function(r) return long_range_test(r, "2019-12", "2020-05") end },
    { given = relief_by_november,
      share = function(r) return long_range_test(r, "2019-12", "2020-05") end },
  },
  at_least = 1.5,
}

expect "a patient North keeps its moratorium" {
  claim = "the launch after the deadline is the North's own decision, not the calendar's",
  mechanism = "the deadline scripts no launch: a North playing patience never chooses "
       .. "icbm_test",
  setup = { DPRK = "patience" },
  share = function(r) return not long_range_test(r) end,
  at_least = 0.95,
}

expect "tests stall the talks" {
  claim = "after a long-range or nuclear test a deal is all but out of reach",
  mechanism = "a test costs 12 to 20 points of talks, ends relief (partial_relief is "
       .. "illegal after a test), and a nuclear test rules the deal out",
  given = function(r) return long_range_test(r) end,
  share = function(r) return r.outcome == "deal" end,
  at_most = 0.05,
}

expect "a nuclear test brings Beijing back" {
  claim = "after a nuclear test China's enforcement rises within three months",
  mechanism = "china_leans_in fires when the nuclear moratorium breaks: enforcement +3, "
       .. "and tighten_enforcement opens",
  given = nuclear_test,
  share = function(r)
    local turn = nuclear_test(r)
    return r:value("PRC.enforcement", turn + 3) > r:value("PRC.enforcement", turn - 1)
  end,
  at_least = 0.6,
}

expect "Beijing does not tighten on its own" {
  claim = "without a nuclear test China does not tighten its enforcement",
  mechanism = "tighten_enforcement is illegal unless Beijing leans in after a nuclear "
       .. "test or Washington has pressed it",
  given = no_nuclear_test,
  share = function(r) return not china_tightens(r) end,
  at_least = 0.75,
}

expect "enforcement first brings Beijing along" {
  claim = "US pressure that makes enforcement the first item with Beijing, paid for "
       .. "with a trade concession, brings China to tighten; engagement does not",
  mechanism = "press_china makes enforcement the first item (PRC.pressed) at the price "
       .. "of a trade concession; pressure chooses it, engagement never does",
  ratio = {
    { setup = { USA = "pressure" }, given = no_nuclear_test, share = china_tightens },
    { setup = { USA = "engagement" }, given = no_nuclear_test, share = china_tightens },
  },
  at_least = 3,
}

expect "pressure risks a crisis" {
  claim = "maximum pressure brings back 'fire and fury' far more often than engagement",
  mechanism = "sanctions, drills and shows of force raise tension toward 90, where the "
       .. "crisis outcome is reached",
  ratio = {
    { setup = { USA = "pressure" }, share = function(r) return r.outcome == "crisis" end },
    { setup = { USA = "engagement" }, share = function(r) return r.outcome == "crisis" end },
  },
  at_least = 3,
}

expect "the NDAA floor holds" {
  claim = "US troops never fall below 22,000 without the Secretary of Defense's certification",
  mechanism = "cut_troops is illegal below 22,000 unless certify_cut, costly and rare, "
       .. "has been played",
  share = function(r) return r:value("USA.troops") < 22000 and not r:value("USA.certified") end,
  at_most = 0.005,
}

expect "a cautious Washington in the election year" {
  claim = "troop cuts per US move are no more frequent in 2020 than in 2019",
  mechanism = "cut_troops is weighed by Washington's bandwidth, which the campaign "
       .. "drains",
  ratio = { { rate = per_us_move("cut_troops", "2020") },
            { rate = per_us_move("cut_troops", "2019") } },
  at_most = 1,
}

expect "Washington's attention shrinks" {
  claim = "summits and relief offers per US move in 2020 are at most half of 2019's",
  mechanism = "summits need bandwidth 40 and relief 35; the election year takes 12 in "
       .. "January and 2 a month",
  ratio = { { rate = per_us_move({ "summit", "partial_relief" }, "2020") },
            { rate = per_us_move({ "summit", "partial_relief" }, "2019") } },
  at_most = 0.5,
}

expect "Seoul's mediation wears out" {
  claim = "Seoul's standing as mediator is spent by the end of 2020",
  mechanism = "each mediation costs 7 points of standing and is worth less than the one "
       .. "before; mediator_fatigue fires below 20",
  share = function(r) return r:fired("mediator_fatigue") end,
  at_least = 0.5,
}

expect "allies first" {
  claim = "frank talks with Seoul and Tokyo first, then Beijing, make a deal likelier "
       .. "than engagement without consultation",
  mechanism = "consult_allies builds coordination, which makes summits and working "
       .. "talks pay more, relief count double and keeps Tokyo from lobbying "
       .. "against it",
  ratio = {
    { setup = { USA = "allies_first" }, share = function(r) return r.outcome == "deal" end },
    { setup = { USA = "engagement" }, share = function(r) return r.outcome == "deal" end },
  },
  at_least = 1.1,
}

expect "the Koreas lead the call for neutrality" {
  claim = "calls for neutrality come from the North's demands and Seoul's progressives, "
       .. "with Beijing and Moscow backing them",
  mechanism = "demand_relief (+4) and Seoul's balanced_diplomacy (+5) push "
       .. "neutralization; China and Russia's propose_neutrality (+2) is legal only "
       .. "once Koreans call for it",
  ratio = {
    { mean = function(r)
        return 4 * r:moved("DPRK", "demand_relief") + 5 * r:moved("ROK", "balanced_diplomacy")
      end },
    { mean = function(r)
        return 2 * r:moved(nil, { "propose_neutrality", "collective_security" })
      end },
  },
  at_least = 1.5,
}

expect "only Seoul ends the alliance" {
  claim = "the alliance ends by Seoul's decision, not by an index crossing a line",
  mechanism = "the neutralization outcome is reached only by Seoul's choose_neutrality "
       .. "move",
  given = function(r) return r.outcome == "neutralization" end,
  share = function(r) return r:moved("ROK", "choose_neutrality") > 0 end,
  at_least = 0.95,
}

expect "Beijing rejects a US guarantee" {
  claim = "China rejects US positive security guarantees to the North",
  mechanism = "reject_guarantee follows offer_guarantee and sets the security talks "
       .. "back",
  given = function(r) return r:moved("USA", "offer_guarantee") > 0 end,
  share = function(r) return r:moved("PRC", "reject_guarantee") > 0 end,
  at_least = 0.9,
}

expect "sanctions bite" {
  claim = "sanctions squeeze the North's economy, and hardship makes it readier to bargain",
  mechanism = "the monthly squeeze grows with sanctions and Chinese enforcement; the "
       .. "hardship trigger makes the North readier to bargain",
  share = function(r) return r:fired("hardship") end,
  at_least = 0.25,
}

expect "no deal once the campaign takes over" {
  claim = "with Washington's attention gone, no deal closes at the end of 2020",
  mechanism = "the deal needs US bandwidth >= 20 and security talks >= 20: a peace "
       .. "regime in sight and a Washington able to sign",
  given = function(r) return r.outcome == "deal" end,
  share = function(r) return r.date >= "2020-11" end,
  at_most = 0.05,
}

expect "no easy solutions" {
  claim = "left to themselves the parties mostly end 2020 stalled, but not always",
  mechanism = "the default AI on both sides: steps, relief, verification disputes and "
       .. "the campaign rarely line up",
  share = function(r) return r.outcome == "stalemate" end,
  at_most = 0.7,
}
