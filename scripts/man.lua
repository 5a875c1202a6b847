-- SPDX-License-Identifier: MIT
--
-- man.lua - the pandoc filter that makes a manual page of a
-- docs/ferry-*.md page (scripts/man.sh runs it).
--
-- The page's first line, "# ferry-up(1)", names the page and its section:
-- it becomes the .TH title, not a heading, and the "## NAME" headings
-- under it become the page's sections. A link becomes its text: on
-- GitHub [ferry-finish(1)](ferry-finish.md) leads to the page, in man
-- "ferry-finish(1)" says where to look.

local title, section

function Header(h)
  if h.level == 1 then
    local text = pandoc.utils.stringify(h.content)
    title, section = text:match('^(.-)%((%w+)%)$')
    if not title then
      error('the first heading must read "# ferry-NAME(SECTION)": ' .. text)
    end
    return {}
  end
  h.level = h.level - 1
  return h
end

function Link(l)
  return l.content
end

function Meta(m)
  if not title then
    error('no "# ferry-NAME(SECTION)" heading')
  end
  m.title = title:upper()
  m.section = section
  m.header = section == '1' and 'User Commands'
    or 'Miscellaneous Information Manual'
  -- groff 1.22's tbl checks that a table's text block fits on the page
  -- before man's one long page (continuous rendering, cR) has grown to
  -- hold it, and warns "table text block will not fit on one page". The
  -- page starts long enough instead; man trims it at the end.
  m['header-includes'] = pandoc.RawBlock('man', '.if \\n[cR] .pl 100000v')
  return m
end

-- A table is set as wide as its text, up to the page: pandoc would give a
-- Markdown table's columns equal shares of a line 72 wide (its dash rows
-- are all "---"), which leaves "0" a column as wide as the text beside it
-- and runs past an 80-column terminal. Each column gets its longest word
-- (a short column all its text), then the room left goes to the columns
-- whose text wants more, in proportion to what each wants.
--
-- pandoc writes a width as a fraction of 70 (its 72 columns less 2); man
-- on an 80-column terminal leaves a table 71, less 3 between columns and
-- 4 for an indented table.
local LINE = 70

function Table(tbl)
  local n = #tbl.colspecs
  local min, want = {}, {}
  for i = 1, n do min[i], want[i] = 1, 1 end
  local rows = {}
  for _, r in ipairs(tbl.head.rows) do table.insert(rows, r) end
  for _, b in ipairs(tbl.bodies) do
    for _, r in ipairs(b.body) do table.insert(rows, r) end
  end
  for _, r in ipairs(rows) do
    for i, c in ipairs(r.cells) do
      local text = pandoc.utils.stringify(c.contents)
      if i <= n then
        want[i] = math.max(want[i], #text)
        for word in text:gmatch('%S+') do
          min[i] = math.max(min[i], #word)
        end
      end
    end
  end
  local used, extra = 0, 0
  for i = 1, n do
    -- a short column ("130, 143", "string or null") is not wrapped
    if want[i] <= 14 then min[i] = want[i] end
    used = used + min[i]
    extra = extra + want[i] - min[i]
  end
  local room = math.max(68 - 4 * n - used, 0)
  for i = 1, n do
    local w = min[i]
    if extra > 0 then
      w = w + math.min(want[i] - min[i], room * (want[i] - min[i]) / extra)
    end
    tbl.colspecs[i] = { tbl.colspecs[i][1], (math.floor(w) + 1) / LINE }
  end
  return tbl
end

-- The SYNOPSIS's code block starts at the margin, as a man page's synopsis
-- does, not indented as an example: its lines are as long as the page.
local function roff_lines(text)
  local out = {}
  for line in (text .. '\n'):gmatch('(.-)\n') do
    line = line:gsub('\\', '\\e')
    if line:match("^[.']") then line = '\\&' .. line end
    table.insert(out, line)
  end
  return table.concat(out, '\n')
end

function Pandoc(doc)
  local section
  for i, b in ipairs(doc.blocks) do
    if b.t == 'Header' and b.level == 1 then
      section = pandoc.utils.stringify(b.content)
    elseif b.t == 'CodeBlock' and section == 'SYNOPSIS' then
      doc.blocks[i] = pandoc.RawBlock('man',
        '.PP\n.nf\n' .. roff_lines(b.text) .. '\n.fi')
    end
  end
  return doc
end
