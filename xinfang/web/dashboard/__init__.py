"""The leader dashboard (领导驾驶舱): §6 indicators of an area, trends, ranking, drill-down."""
