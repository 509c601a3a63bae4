"""The bottom layer every other package may import, and which imports nothing of the project: where things
live (`paths`), every setting (`settings`) and the records the stages hand each other (`landing`)."""
