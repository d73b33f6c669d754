-- prelude.lua: the declaration forms of the scenario language.
--
-- It runs once per engine, before the scenario, with the scenario's
-- sandbox environment and a table of private primitives.  It only collects
-- what the scenario declares, with the file:line of each declaration; the C
-- side (bindings/lua/scenario.c) checks it all and hands it to the engine
-- once the scenario has run, so every mistake is reported with its line.
local env, P = ...
local where, decls = P.where, P.decls
local error, type, select = error, type, select

local function loading(form)
  if not P.loading then
    error(form .. " can only be used while the scenario loads, not inside "
          .. "an effect or condition", 3)
  end
end

-- `kind "name" { ... }`: the name comes first, the body in a second call.
local function named(kind, list)
  env[kind] = function(name)
    loading(kind)
    if type(name) ~= "string" or name == "" then
      error(kind .. ' needs a name: ' .. kind .. ' "name" { ... }', 2)
    end
    local entry = { name = name, where = where(2), kind = kind }
    list[#list + 1] = entry
    return function(spec)
      if type(spec) ~= "table" then
        error(kind .. ' "' .. name .. '" needs a table: ' .. kind .. ' "'
              .. name .. '" { ... }', 2)
      end
      entry.spec = spec
    end
  end
end

named("actor", decls.actors)
named("var", decls.vars)
named("relation", decls.vars)
named("move", decls.moves)
named("trigger", decls.triggers)
named("event", decls.events)
named("outcome", decls.outcomes)
named("policy", decls.policies)
named("expect", decls.expects)

-- `form { ... }`, declared once: decls[form] = { spec = ..., where = ... }.
-- migrate { [1] = function(state) ... end }: step k takes a saved state of
-- the scenario's version k to version k + 1 (scenario_decl.c checks it).
local function once(form, usage)
  env[form] = function(spec)
    loading(form)
    if type(spec) ~= "table" then
      error(form .. " needs a table: " .. usage, 2)
    end
    if decls[form] then
      error(form .. " is declared twice (first at " .. decls[form].where
            .. ")", 2)
    end
    decls[form] = { spec = spec, where = where(2) }
  end
end
once("scenario", "scenario { id = ..., ... }")
once("migrate", "migrate { [1] = function(state) ... end }")

function env.on(hook, fn)
  loading("on")
  if hook ~= "turn_start" and hook ~= "turn_end" then
    error("on() takes \"turn_start\" or \"turn_end\", not "
          .. tostring(hook), 2)
  end
  if type(fn) ~= "function" then
    error("on(\"" .. hook .. "\", fn) needs a function", 2)
  end
  decls.hooks[#decls.hooks + 1] = { hook = hook, fn = fn, where = where(2) }
end

-- news("%s pushes new sanctions on %s", m.by, m.target)
local format = env.string.format
function env.news(fmt, ...)
  if type(fmt) ~= "string" then error("news() needs a format string", 2) end
  local ok, msg = P.news(select("#", ...) == 0 and fmt or format(fmt, ...))
  if not ok then error(msg, 2) end
end

-- Beliefs: what an actor takes a hidden variable to be (docs/
-- scenario-language.md#beliefs).  Variables are named in full, as in
-- news and logs: believe("USA", "DPRK.warheads", 20, 40).
function env.believe(actor, var, lo, hi)
  local ok, msg = P.believe(actor, var, lo, hi)
  if not ok then error(msg, 2) end
end

-- reveal("DPRK.missile_skill", "USA"): the actor (a list of them, or "*"
-- for every actor) now believes the value as it is.
function env.reveal(var, who)
  if type(var) ~= "string" then error("reveal() needs a variable's name", 2) end
  local list = who
  if who == "*" then list = P.actor_ids()
  elseif type(who) == "string" then list = { who }
  elseif type(who) ~= "table" then
    error('reveal(var, actor): actor is an id, a list of ids or "*"', 2)
  end
  for i = 1, #list do
    local ok, msg = P.reveal(list[i], var)
    if ok == nil then error(msg, 2) end
  end
end

-- lo, hi = belief("USA", "DPRK.warheads"); a third result says whether
-- the actor knows anything (false: the belief is the whole range).
function env.belief(actor, var)
  return P.belief(actor, var)
end

-- view("USA"): the world as the USA takes it to be, read-only: what it
-- sees as it is, the rest as it believes it (a number's midpoint; a flag
-- or an enum only when believed exactly, else nil).
local setmetatable = env.setmetatable
local function locked(index, what)
  return setmetatable({}, {
    __index = index,
    __newindex = function()
      error(what .. " is a view: it cannot be assigned (believe() changes "
            .. "a belief)", 2)
    end,
    __metatable = "locked",
  })
end
function env.view(actor)
  if type(actor) ~= "string" then error("view() needs an actor id", 2) end
  local w, seen = P.w(), P.seen
  local _ = w[actor]   -- an unknown actor raises here
  local actors = {}
  return locked(function(_, k)
    if k == "date" then return w.date end
    local x = w[k]
    if type(x) ~= "table" then return seen(actor, k) end
    local a = actors[k]
    if a then return a end
    a = locked(function(_, f)
      local y = x[f]
      if type(y) ~= "table" then return seen(actor, k .. "." .. f) end
      return locked(function(_, other)
        local _ = y[other]
        return seen(actor, k .. "." .. f .. "." .. other)
      end, "view." .. k .. "." .. f)
    end, "view." .. k)
    actors[k] = a
    return a
  end, "view")
end

-- Event data crosses turns and saves as text: a table constructor written
-- in the sandbox's fixed key order, read back with no globals at all.
local pairs, tostring, concat = env.pairs, env.tostring, env.table.concat
local mtype = env.math.type
local function serialize(v, depth, out)
  local t = type(v)
  if t == "string" then
    out[#out + 1] = format("%q", v)
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then
      error("event data must hold finite numbers", 0)
    end
    out[#out + 1] = mtype(v) == "integer" and format("%d", v)
                    or format("%.17g", v):gsub("^(-?%d+)$", "%1.0")
  elseif t == "boolean" or t == "nil" then
    out[#out + 1] = tostring(v)
  elseif t == "table" then
    if depth > 32 then error("event data nests too deeply", 0) end
    out[#out + 1] = "{"
    for k, x in pairs(v) do
      local kt = type(k)
      if kt ~= "string" and kt ~= "number" and kt ~= "boolean" then
        error("event data keys must be strings, numbers or booleans", 0)
      end
      out[#out + 1] = "["
      serialize(k, depth + 1, out)
      out[#out + 1] = "]="
      serialize(x, depth + 1, out)
      out[#out + 1] = ","
    end
    out[#out + 1] = "}"
  else
    error("event data can hold numbers, strings, booleans and tables, not "
          .. t, 0)
  end
  return out
end

local function encode(data)
  if data == nil then return nil end
  local ok, out = pcall(serialize, data, 0, {})
  if not ok then error(out, 3) end
  return concat(out)
end

function P.decode(text)
  return env.load("return " .. text, "=data", "t", {})()
end

-- A migrated state goes back to the host as JSON: tables with the keys 1
-- to n are lists, others objects with string keys; an empty table is {}.
local huge, gsub = math.huge, env.string.gsub
local function jescape(c) return format("\\u%04x", c:byte()) end
local function json(v, depth, out)
  local t = type(v)
  if t == "string" then
    out[#out + 1] = '"' .. gsub(v, '[%c"\\]', jescape) .. '"'
  elseif t == "number" then
    if v ~= v or v == huge or v == -huge then
      error("the state must hold finite numbers", 0)
    end
    out[#out + 1] = mtype(v) == "integer" and format("%d", v)
                    or format("%.17g", v)
  elseif t == "boolean" then
    out[#out + 1] = tostring(v)
  elseif t == "table" then
    if depth > 32 then error("the state nests too deeply", 0) end
    local n, list = 0, true
    for _ in pairs(v) do n = n + 1 end
    for k in pairs(v) do
      if mtype(k) ~= "integer" or k < 1 or k > n then list = false end
    end
    if list and n > 0 then
      out[#out + 1] = "["
      for i = 1, n do
        if i > 1 then out[#out + 1] = "," end
        json(v[i], depth + 1, out)
      end
      out[#out + 1] = "]"
      return out
    end
    out[#out + 1] = "{"
    local first = true
    for k, x in pairs(v) do
      if type(k) ~= "string" then
        error("a table of the state has a key that is not a name: "
              .. tostring(k), 0)
      end
      if not first then out[#out + 1] = "," end
      first = false
      json(k, depth + 1, out)
      out[#out + 1] = ":"
      json(x, depth + 1, out)
    end
    out[#out + 1] = "}"
  else
    error("the state can hold numbers, strings, booleans and tables, not "
          .. t, 0)
  end
  return out
end

function P.json(state)
  if type(state) ~= "table" then
    error("the state must be a table, not " .. type(state), 0)
  end
  return concat(json(state, 0, {}))
end

-- schedule("retaliation", { turns = 2, data = { target = "USA" } })
function env.schedule(name, opts)
  if type(name) ~= "string" then error("schedule() needs an event name", 2) end
  if opts ~= nil and type(opts) ~= "table" then
    error("schedule(name, { turns = k, data = t }): options must be a table",
          2)
  end
  opts = opts or {}
  local ok, msg = P.schedule(name, opts.turns or 1, encode(opts.data))
  if not ok then error(msg, 2) end
end

function env.fire(name, data)
  if type(name) ~= "string" then error("fire() needs an event name", 2) end
  local ok, msg, inside = P.fire(name, encode(data))
  -- An error inside the event keeps its own file:line.
  if not ok then error(msg, inside and 0 or 2) end
end

function env.end_scenario(outcome)
  local ok, msg = P.end_scenario(outcome)
  if not ok then error(msg, 2) end
end

-- import "name": name.lua from the scenario's folder or the script library.
-- The values imported while loading are frozen with the rest of what
-- loading made; a run may import again only what is already there.
local imports = {}
P.imports = imports
function env.import(name)
  if type(name) ~= "string" or not name:match("^[%w_%-]+$") then
    error("import needs a plain name (letters, digits, _ and -), got "
          .. tostring(name), 2)
  end
  local cached = imports[name]
  if cached == false then error("import cycle through '" .. name .. "'", 2) end
  if cached ~= nil then return cached.value end
  loading("import")
  local text, chunkname = P.read_import(name)
  if not text then error(chunkname, 2) end
  local fn, err = env.load(text, chunkname, "t", env)
  if not fn then error(err, 0) end
  imports[name] = false
  local value = fn()
  imports[name] = { value = value }
  return value
end
