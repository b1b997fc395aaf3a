"""What other apps may use of the business objects defined as data. Like every facade it only re-exports."""
