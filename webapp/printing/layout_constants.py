"""Page geometry shared by the stylesheet generator and the size estimate.

The millimetre values are written into the sheet stylesheet (see
render._geometry_css), so the estimate and the real layout cannot drift apart
on the page size; the em values approximate what sheet.css does.
"""

MM_PER_PT = 25.4 / 72

PAGE_WIDTH_MM = 297.0
PAGE_HEIGHT_MM = 210.0
MARGIN_TOP_MM = 6.0
MARGIN_SIDE_MM = 9.0
# the page number of the report sits in the bottom margin, at least 8 mm
# above the paper's edge, where office printers no longer clip
MARGIN_BOTTOM_MM = 12.0

CONTENT_WIDTH_MM = PAGE_WIDTH_MM - 2 * MARGIN_SIDE_MM
CONTENT_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM
TITLE_BAND_MM = 11.0      # title band incl. the gap below it, at 13pt
COLUMN_HEIGHT_MM = CONTENT_HEIGHT_MM - TITLE_BAND_MM

# sizes of the sheet's type
MAX_PT = 10.5
MIN_PT = 7.0
STEP_PT = 0.25
NOMINAL_PT = 8.5
#: the candidate sizes, largest first: 10.5, 10.25, ... 7.0
SIZES = tuple(round(MAX_PT - STEP_PT * i, 2)
              for i in range(int(round((MAX_PT - MIN_PT) / STEP_PT)) + 1))

# model of sheet.css, in em of the sheet's type
LINE_EM = 1.42            # line-height of body text
SUBHEAD_EM = 1.5          # ○ sub-heading incl. margin
BOX_EM = 2.3              # heading tab + box padding + gap between boxes
BOX_PADDING_EM = 0.45
BOX_BORDER_EM = 0.1
COLUMN_GAP_EM = 0.8
TABLE_FONT = 0.9          # tables print at 0.9em
TABLE_ROW_EM = 1.3        # one-line table row
TABLE_LINE_EM = 1.1       # each line of a table cell (0.9em × 1.22)
TABLE_PAD_EM = 0.2
KPI_GAP_EM = 0.5
LEGEND_EM = 1.04          # the charts' legend line: 0.79em × 1.42, margins 0.1em/-0.2em
FIGURE_EM = 1.4
IMAGE_MAX_EM = 12.0       # .figure img max-height in sheet.css
END_PAD_EM = 0.95         # below the end marker: box padding, border, margin

# uploaded images (figures): they take the room the text leaves, between
# these heights; below the floor the type shrinks instead, and only a sheet
# that cannot fit even then gets its images at the last-resort height, so
# that a figure alone never makes a sheet fail to fit
FIGURE_FLOOR_MM = 30.0
FIGURE_LAST_MM = 15.0
FIGURE_MAX_MM = 110.0

# legibility floor: no glyph below LEGIBLE_PT; chart labels are 0.7 of the
# chart's em, so the chart's em stops shrinking at CHART_FLOOR_PT (6pt labels)
LEGIBLE_PT = 5.5
CHART_FLOOR_PT = 8.6
